// Reference server for `bench/run.sh mcp`: the official MCP TypeScript SDK v2 (@modelcontextprotocol/server 2.4.0)
// serving the same two tools as pierre-mcp-server over the 2026-07-28 stateless Streamable HTTP transport, mounted on
// plain node:http the way the SDK documents it (createMcpHandler + toNodeHandler from @modelcontextprotocol/node),
// answering single JSON bodies (responseMode 'json'), no SSE.
//
//   node server.mjs [--port 0] [--workers 1]     prints "listening on http://127.0.0.1:PORT/mcp" once ready
//
// Tools, compared with pierre-mcp-server:
//  - get_connection_status: same name, title, description, annotations, input schema (optional provider enum,
//    no other properties) and output schema; returns the same structured content (strava/garmin/fitbit, all
//    not_configured) and the same text block.
//  - get_configuration_catalog: same name, title, description, annotations, input schema and an output schema of
//    the same shape, so tools/list answers carry comparable bytes. Its result is deliberately small (one category,
//    one parameter) where pierre returns the full catalogue; the benchmark never calls it.
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { availableParallelism } from 'node:os';

import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(option('port', '0'));
const workers = Math.max(1, Math.min(Number(option('workers', '1')), availableParallelism()));

// Schemas are built once per process; the SDK wants a fresh McpServer per HTTP request (stateless factory).
const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

const connectionStatusInput = z
  .object({
    provider: z.enum(['strava', 'garmin', 'fitbit']).optional().describe('Only report this provider (default: all)'),
  })
  .strict();
const connectionStatusOutput = z.object({
  providers: z.array(
    z.object({
      provider: z.string(),
      configured: z.boolean(),
      connected: z.boolean(),
      status: z.enum(['connected', 'not_connected', 'not_configured']),
      message: z.string(),
    }),
  ),
  connected_count: z.number().int(),
});
const providerNames = ['strava', 'garmin', 'fitbit'];

const catalogInput = z.object({}).strict();
const catalogOutput = z.object({
  catalog: z.object({
    version: z.string(),
    total_parameters: z.number().int().min(1),
    categories: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        description: z.string().optional(),
        parameters: z.array(
          z.object({
            key: z.string(),
            name: z.string(),
            type: z.enum(['number', 'integer', 'string']),
            unit: z.string(),
            default: z.number().nullable(),
            minimum: z.number().optional(),
            maximum: z.number().optional(),
            description: z.string(),
            source: z.string(),
          }),
        ),
      }),
    ),
  }),
});

function buildServer() {
  const server = new McpServer(
    { name: 'bench-mcp-ts', version: '1.0.0' },
    { capabilities: { tools: {} }, cacheHints: { 'tools/list': { ttlMs: 60000, cacheScope: 'private' } } },
  );
  server.registerTool(
    'get_connection_status',
    {
      title: 'Connection status',
      description:
        'Shows which fitness providers (Strava, Garmin, Fitbit) are set up on this server and connected to your account.',
      inputSchema: connectionStatusInput,
      outputSchema: connectionStatusOutput,
      annotations: { title: 'Connection status', ...readOnly },
    },
    async ({ provider }) => {
      const providers = [];
      let text = '';
      for (const name of providerNames) {
        if (provider && provider !== name) continue;
        providers.push({
          provider: name,
          configured: false,
          connected: false,
          status: 'not_configured',
          message: `${name} is not configured on this server (no OAuth client credentials)`,
        });
        text += `${name}: not_configured\n`;
      }
      return {
        content: [{ type: 'text', text: text || 'no providers' }],
        structuredContent: { providers, connected_count: 0 },
      };
    },
  );
  server.registerTool(
    'get_configuration_catalog',
    {
      title: 'Configuration catalog',
      description:
        'Lists every training and physiology parameter the analysis uses (max/resting/threshold heart rate, FTP, ' +
        'threshold pace, VDOT, body measures, load time constants), with units, valid ranges, defaults and the ' +
        'published source of each.',
      inputSchema: catalogInput,
      outputSchema: catalogOutput,
      annotations: { title: 'Configuration catalog', ...readOnly },
    },
    async () => {
      const catalog = {
        version: '1',
        total_parameters: 1,
        categories: [
          {
            id: 'power',
            name: 'Cycling power',
            description: 'Power anchors for NP, IF, TSS and power zones',
            parameters: [
              {
                key: 'ftp',
                name: 'Functional threshold power',
                type: 'integer',
                unit: 'W',
                default: null,
                minimum: 30,
                maximum: 600,
                description: 'Highest power sustainable for about an hour; 95% of a 20-minute test',
                source: 'Allen & Coggan 2010, Training and Racing with a Power Meter',
              },
            ],
          },
        ],
      };
      return {
        content: [{ type: 'text', text: '1 parameters in 1 categories: Cycling power (1);' }],
        structuredContent: { catalog },
      };
    },
  );
  return server;
}

function serve() {
  const handler = createMcpHandler(() => buildServer(), { responseMode: 'json' });
  const node = toNodeHandler(handler);
  const http = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/mcp') {
      node(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  http.keepAliveTimeout = 60_000;
  http.listen(port, '127.0.0.1', () => {
    if (cluster.isPrimary) console.log(`bench-mcp-ts listening on http://127.0.0.1:${http.address().port}/mcp`);
    else process.send?.({ port: http.address().port });
  });
}

if (workers > 1 && cluster.isPrimary) {
  // Optional: one process per core behind the cluster module's shared listening socket (port must be fixed).
  if (port === 0) {
    console.error('bench-mcp-ts: --workers > 1 needs an explicit --port');
    process.exit(2);
  }
  let ready = 0;
  for (let i = 0; i < workers; ++i) {
    cluster.fork().on('message', () => {
      if (++ready === workers) console.log(`bench-mcp-ts listening on http://127.0.0.1:${port}/mcp (${workers} workers)`);
    });
  }
  cluster.on('exit', (_worker, code) => {
    console.error(`bench-mcp-ts: worker exited (${code})`);
    process.exit(1);
  });
  const stop = () => {
    for (const w of Object.values(cluster.workers)) w.kill();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  serve();
  // Exit through process.exit so --cpu-prof and similar exit hooks run when bench/run.sh stops the server.
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
}
