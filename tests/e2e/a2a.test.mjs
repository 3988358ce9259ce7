// The official A2A JavaScript SDK (@a2a-js/sdk, a v1.0 client) against the real server: it discovers the agent card at
// /.well-known/agent-card.json, picks the JSON-RPC interface, and — authenticated with an API key of the demo athlete
// (`--demo`) — runs analyze_training_load through SendMessage and SendStreamingMessage (SSE), gets the task back with
// GetTask, and cancels a task that waits for input with CancelTask. Also: a plain-text message gets the help answer,
// and a request without credentials is refused with 401.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role, TaskState } from '@a2a-js/sdk';
import { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { describeExit, startServer } from './lib/server.mjs';

const DEMO_EMAIL = 'demo@pierre.dev';
const DEMO_PASSWORD = 'pierre-demo-athlete';
const TEST_TIMEOUT = { timeout: 60000 };

let nextMessage = 1;
// A user message in the SDK's model: one data part naming the tool and its arguments, or one text part.
function toolMessage(tool, args = {}, extra = {}) {
  return {
    messageId: `e2e-${nextMessage++}`,
    role: Role.ROLE_USER,
    parts: [{ content: { $case: 'data', value: { tool, arguments: args } } }],
    ...extra,
  };
}
function textMessage(text) {
  return { messageId: `e2e-${nextMessage++}`, role: Role.ROLE_USER, parts: [{ content: { $case: 'text', value: text } }] };
}
const dataParts = (artifact) => artifact.parts.filter((p) => p.content?.$case === 'data').map((p) => p.content.value);
const textOf = (message) => message.parts.filter((p) => p.content?.$case === 'text').map((p) => p.content.value).join('\n');

describe('A2A v1.0 with @a2a-js/sdk', { timeout: 180000 }, () => {
  let server;
  let apiKey;
  let client;

  before(async () => {
    server = await startServer({ mode: 'none', args: ['--demo'] });
    const login = await fetch(`${server.baseUrl}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD }),
    });
    assert.equal(login.status, 200, await login.clone().text());
    const { jwt_token: jwt } = await login.json();
    const created = await fetch(`${server.baseUrl}/api/keys`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${jwt}` },
      body: JSON.stringify({ name: 'a2a e2e agent', tier: 'starter' }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    apiKey = (await created.json()).api_key;
    assert.match(apiKey, /^pk_/);

    // The SDK's transports take a fetch: this one presents the API key (the card's apiKey security scheme).
    const fetchImpl = (url, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set('X-API-Key', apiKey);
      return fetch(url, { ...init, headers });
    };
    const factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ fetchImpl })],
        preferredTransports: ['JSONRPC'],
      }),
    );
    client = await factory.createFromUrl(server.baseUrl);
  });

  after(async () => {
    if (server) {
      const exit = await server.stop();
      assert.equal(exit.code, 0, describeExit(exit));
    }
  });

  it('discovers the agent card: JSON-RPC interface, streaming, security schemes, tool-group skills', TEST_TIMEOUT, async () => {
    const card = await client.getAgentCard();
    assert.equal(card.supportedInterfaces[0].protocolBinding, 'JSONRPC');
    assert.equal(card.supportedInterfaces[0].protocolVersion, '1.0');
    assert.equal(card.supportedInterfaces[0].url, `${server.baseUrl}/a2a/jsonrpc`);
    assert.equal(card.capabilities.streaming, true);
    assert.deepEqual(Object.keys(card.securitySchemes).sort(), ['apiKey', 'bearer', 'oauth2']);
    const training = card.skills.find((s) => s.id === 'training-analytics');
    assert.ok(training, `skills: ${card.skills.map((s) => s.id)}`);
    assert.match(training.description, /analyze_training_load/);
    assert.ok(training.examples.some((e) => e.includes('analyze_training_load')));
  });

  it('SendMessage runs analyze_training_load for the caller and returns its result as an artifact', TEST_TIMEOUT, async () => {
    const task = await client.sendMessage({ message: toolMessage('analyze_training_load', { timeframe: 'month' }) });
    assert.ok(task.id, `a task, not a message: ${JSON.stringify(task)}`);
    assert.equal(task.status.state, TaskState.TASK_STATE_COMPLETED, JSON.stringify(task.status));
    assert.equal(task.artifacts.length, 1);
    const [result] = dataParts(task.artifacts[0]);
    assert.equal(typeof result.ctl, 'number');
    assert.equal(typeof result.tsb, 'number');
    assert.ok(result.sessions > 0, 'the demo athlete trains');

    const again = await client.getTask({ id: task.id, historyLength: 1 });
    assert.equal(again.status.state, TaskState.TASK_STATE_COMPLETED);
    assert.deepEqual(dataParts(again.artifacts[0]), [result]);
    assert.equal(again.history.length, 1);
  });

  it('SendStreamingMessage streams the task, its working and completed status and the artifact over SSE', TEST_TIMEOUT, async () => {
    const events = [];
    for await (const event of client.sendMessageStream({ message: toolMessage('analyze_training_load') })) {
      events.push(event.payload);
    }
    const kinds = events.map((e) => e.$case);
    assert.deepEqual(kinds, ['task', 'statusUpdate', 'artifactUpdate', 'statusUpdate']);
    const taskId = events[0].value.id;
    assert.equal(events[0].value.status.state, TaskState.TASK_STATE_SUBMITTED);
    assert.equal(events[1].value.status.state, TaskState.TASK_STATE_WORKING);
    assert.equal(events[2].value.taskId, taskId);
    assert.equal(typeof dataParts(events[2].value.artifact)[0].ctl, 'number');
    assert.equal(events[3].value.status.state, TaskState.TASK_STATE_COMPLETED);

    // The task was stored: a client that lost the stream polls it.
    const polled = await client.getTask({ id: taskId });
    assert.equal(polled.status.state, TaskState.TASK_STATE_COMPLETED);
    assert.equal(polled.artifacts[0].artifactId, events[2].value.artifact.artifactId);
  });

  it('CancelTask cancels a task waiting for input; a finished task is not cancelable', TEST_TIMEOUT, async () => {
    // analyze_activity needs activity_id: the task asks for it and waits (input required).
    const waiting = await client.sendMessage({ message: toolMessage('analyze_activity') });
    assert.equal(waiting.status.state, TaskState.TASK_STATE_INPUT_REQUIRED);
    assert.match(textOf(waiting.status.message), /activity_id/);

    const canceled = await client.cancelTask({ id: waiting.id });
    assert.equal(canceled.status.state, TaskState.TASK_STATE_CANCELED);
    const polled = await client.getTask({ id: waiting.id });
    assert.equal(polled.status.state, TaskState.TASK_STATE_CANCELED);

    await assert.rejects(client.cancelTask({ id: waiting.id }), (err) => {
      assert.match(String(err.message), /cannot be canceled/);
      return true;
    });
    await assert.rejects(client.getTask({ id: 'tsk_does_not_exist' }), /Task not found/);
  });

  it('a follow-up message with the missing argument completes an input-required task', TEST_TIMEOUT, async () => {
    const waiting = await client.sendMessage({ message: toolMessage('calculate_metrics') });
    assert.equal(waiting.status.state, TaskState.TASK_STATE_INPUT_REQUIRED);
    const listed = await client.sendMessage({ message: toolMessage('get_activities', { limit: 1 }) });
    const activityId = dataParts(listed.artifacts[0])[0].activities[0].id;
    const done = await client.sendMessage({
      message: toolMessage('calculate_metrics', { activity_id: activityId }, { taskId: waiting.id }),
    });
    assert.equal(done.id, waiting.id);
    assert.equal(done.status.state, TaskState.TASK_STATE_COMPLETED, JSON.stringify(done.status));
  });

  it('a plain-text message gets a helpful answer listing the skills', TEST_TIMEOUT, async () => {
    const answer = await client.sendMessage({ message: textMessage('What can you do?') });
    assert.equal(answer.role, Role.ROLE_AGENT);
    const text = textOf(answer);
    assert.match(text, /analyze_training_load/);
    assert.match(text, /Training analytics/);
  });

  it('refuses callers without credentials (401) and unknown tools (invalid params)', TEST_TIMEOUT, async () => {
    const res = await fetch(`${server.baseUrl}/a2a/jsonrpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'A2A-Version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'x' } }),
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, 'AUTH_REQUIRED');
    await assert.rejects(client.sendMessage({ message: toolMessage('no_such_tool') }), /no tool or skill named/);
  });
});
