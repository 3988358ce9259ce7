// The five use cases of Pierre's README, driven end to end with the official SDK v2 client against ONE real server:
// `--demo --mcp-allow-anonymous` (the anonymous caller is the demo athlete: ~2 years of generated runs, rides and
// swims, and a stored physiology profile) with OPENWEATHER_API_KEY / OPENWEATHER_API_BASE_URL pointing at the fake
// OpenWeather One Call 3.0 server (lib/fake-openweather.mjs).
//
// Nothing here hard-codes a result value: the demo data and "now" move. Every assertion is about coherence — units and
// ranges, formulas recomputed from the tool's own inputs (Mifflin–St Jeor, IF = NP / FTP, TSS = h × IF² × 100, Riegel),
// and agreement between tools (get_activities vs compare_activities vs trends, training load vs recommendations vs
// fitness score, detect_patterns vs the forecast's preferred hours, the fake's weather vs analyze_activity's).
// Every tool of tools/list that declares an outputSchema is called at least once (checked at the end), every success
// has structuredContent, and the OpenWeather key never appears in any tool output nor in the server's log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { FAKE_OPENWEATHER_KEY, fakeHour, startFakeOpenWeather } from './lib/fake-openweather.mjs';
import { describeExit, startServer } from './lib/server.mjs';

const TEST_TIMEOUT = { timeout: 60000 };
const CALL_OPTIONS = { timeout: 60000 };
const DAY_MS = 86400000;

// Tools that need a file or a provider account: called with harmless arguments, but not required to succeed.
const NEED_EXTERNAL = new Set(['import_activity_file', 'disconnect_provider', 'connect_provider']);
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const textOf = (result) => (result.content ?? []).filter((b) => b.type === 'text').map((b) => b.text).join('\n');
const show = (v) => JSON.stringify(v, null, 1).slice(0, 4000);
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const near = (actual, expected, tol, what) =>
  assert.ok(
    isNum(actual) && Math.abs(actual - expected) <= tol,
    `${what}: ${actual} is not within ${tol} of ${expected}`,
  );
const inRange = (v, lo, hi, what) => assert.ok(isNum(v) && v >= lo && v <= hi, `${what}: ${v} is not in [${lo}, ${hi}]`);
const twoDecimals = (x) => Math.abs(Math.round(x * 100) / 100 - x) < 1e-9;

describe('README use cases with the demo athlete (SDK v2, one server, fake OpenWeather)', { timeout: 240000 }, () => {
  let weather;
  let server;
  let client;
  let tools; // name → tool of tools/list
  const called = new Set();
  const outputs = []; // every tool output's text and structured content, to check that no secret leaks

  // Calls a tool; a success must not be an error and must carry structuredContent.
  async function call(name, args = {}) {
    const result = await callRaw(name, args);
    assert.notEqual(result.isError, true, `${name}(${JSON.stringify(args)}) failed: ${textOf(result)}`);
    assert.ok(
      result.structuredContent && typeof result.structuredContent === 'object',
      `${name}: no structuredContent in ${show(result)}`,
    );
    return result.structuredContent;
  }

  async function callRaw(name, args = {}) {
    called.add(name);
    const result = await client.callTool({ name, arguments: args }, CALL_OPTIONS);
    outputs.push(`${name}: ${textOf(result)}\n${JSON.stringify(result.structuredContent ?? null)}`);
    return result;
  }

  // Walks get_activities' cursor pages.
  async function allActivities(args, pageSize = 5) {
    const items = [];
    let cursor;
    for (let page = 0; page < 200; ++page) {
      const out = await call('get_activities', { ...args, limit: pageSize, ...(cursor ? { cursor } : {}) });
      assert.equal(out.count, out.activities.length, 'count is the page length');
      assert.ok(out.activities.length <= pageSize);
      items.push(...out.activities);
      cursor = out.next_cursor;
      if (!cursor) return items;
    }
    assert.fail('get_activities kept returning a next_cursor');
  }

  const schemaEnum = (tool, ...path) => {
    let s = tools.get(tool).outputSchema;
    for (const key of path) s = key === '[]' ? s.items : s.properties[key];
    return s.enum;
  };

  // Shared between the use cases.
  let latest10;
  let configuration;
  let loadMonth;

  before(async () => {
    weather = await startFakeOpenWeather({ apiKey: FAKE_OPENWEATHER_KEY });
    server = await startServer({
      mode: 'anonymous',
      args: ['--demo'],
      env: { OPENWEATHER_API_KEY: FAKE_OPENWEATHER_KEY, OPENWEATHER_API_BASE_URL: weather.url },
    });
    client = new Client(
      { name: 'pierre-e2e-use-cases', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new StreamableHTTPClientTransport(new URL(server.mcpUrl)));
    tools = new Map((await client.listTools()).tools.map((t) => [t.name, t]));
  });

  after(async () => {
    await client?.close().catch(() => {});
    await server?.stop();
    await weather?.close();
  });

  it('the demo athlete: profile, stats and configuration agree', TEST_TIMEOUT, async () => {
    const athlete = await call('get_athlete');
    const stats = await call('get_stats');
    configuration = await call('get_user_configuration');
    const p = athlete.physiology;
    for (const key of ['weight_kg', 'height_cm', 'age_years', 'sex', 'max_hr_bpm', 'resting_hr_bpm', 'ftp_w']) {
      assert.ok(p[key] && p[key].value !== null && p[key].value !== undefined, `physiology.${key}: ${show(p[key])}`);
      assert.deepEqual(p[key], configuration.effective[key], `get_athlete and get_user_configuration differ on ${key}`);
    }
    inRange(p.weight_kg.value, 25, 250, 'weight_kg');
    inRange(p.height_cm.value, 100, 250, 'height_cm');
    assert.ok(p.resting_hr_bpm.value < p.max_hr_bpm.value, 'resting HR below max HR');
    assert.ok(athlete.activity_count > 100, `the demo has a history: ${athlete.activity_count}`);

    // One activity count everywhere.
    const sportsTotal = Object.values(athlete.sports).reduce((a, b) => a + b, 0);
    assert.equal(sportsTotal, athlete.activity_count, 'get_athlete.sports sums to activity_count');
    assert.equal(stats.all_time.all.count, athlete.activity_count, 'get_stats all_time count');
    for (const period of ['recent_4_weeks', 'year_to_date', 'all_time']) {
      const { all, by_sport: bySport } = stats[period];
      const sum = (k) => Object.values(bySport).reduce((a, s) => a + s[k], 0);
      assert.equal(sum('count'), all.count, `${period}: by_sport counts sum to all.count`);
      near(sum('distance_m'), all.distance_m, 1, `${period}: by_sport distances sum to all.distance_m`);
      near(sum('moving_time_s'), all.moving_time_s, 1, `${period}: by_sport moving times`);
      assert.ok(all.moving_time_s <= all.elapsed_time_s, `${period}: moving ≤ elapsed`);
      assert.ok(all.count <= stats.all_time.all.count, `${period} ≤ all time`);
    }
    for (const [sport, n] of Object.entries(athlete.sports)) {
      assert.equal(stats.all_time.by_sport[sport]?.count, n, `all_time.by_sport.${sport}.count`);
    }
    const status = await call('get_connection_status');
    assert.equal(status.local_activity_count, athlete.activity_count, 'get_connection_status.local_activity_count');
  });

  it('use case 1a: the last 10 activities, newest first', TEST_TIMEOUT, async () => {
    const page = await call('get_activities', { limit: 10 });
    latest10 = page.activities;
    assert.equal(latest10.length, 10);
    assert.equal(page.count, 10);
    assert.equal(new Set(latest10.map((a) => a.id)).size, 10, 'ids are unique');
    for (let i = 1; i < latest10.length; ++i) {
      assert.ok(
        Date.parse(latest10[i - 1].start_time) >= Date.parse(latest10[i].start_time),
        `not newest first: ${latest10[i - 1].start_time} before ${latest10[i].start_time}`,
      );
    }
    for (const a of latest10) {
      assert.ok(Date.parse(a.start_time) <= Date.now(), `${a.id} starts in the future`);
      assert.ok(a.distance_m >= 0 && a.moving_time_s > 0, `${a.id}: ${show(a)}`);
      assert.ok(a.moving_time_s <= a.elapsed_time_s, `${a.id}: moving ${a.moving_time_s} > elapsed ${a.elapsed_time_s}`);
    }
  });

  it('use case 1b: training load — the PMC agrees with its own daily series', TEST_TIMEOUT, async () => {
    const load = await call('analyze_training_load');
    loadMonth = load;
    assert.ok(load.ctl > 0 && load.atl > 0, `ctl ${load.ctl}, atl ${load.atl}`);
    const daily = load.daily;
    assert.ok(daily.length >= 2, `daily: ${show(daily)}`);
    const last = daily.at(-1);
    const previous = daily.at(-2);
    near(load.ctl, last.ctl, 0.05, 'ctl is the last day of the series');
    near(load.atl, last.atl, 0.05, 'atl is the last day of the series');
    near(load.tsb, last.tsb, 0.05, 'tsb is the last day of the series');
    near(load.tsb, previous.ctl - previous.atl, 0.15, "tsb = the previous day's ctl − atl");
    for (let i = 1; i < daily.length; ++i) {
      assert.ok(daily[i].date > daily[i - 1].date, `daily dates ascend: ${daily[i - 1].date}, ${daily[i].date}`);
      near(daily[i].tsb, daily[i - 1].ctl - daily[i - 1].atl, 0.15, `tsb on ${daily[i].date}`);
      assert.ok(daily[i].load >= 0, `load on ${daily[i].date}`);
    }
    inRange(load.acwr, 0.3, 3, 'acwr');
    assert.ok(schemaEnum('analyze_training_load', 'acwr_method').includes(load.acwr_method), load.acwr_method);
    const recommendations = schemaEnum('analyze_training_load', 'recovery', 'recommendation');
    assert.ok(recommendations.includes(load.recovery.recommendation), `recovery: ${show(load.recovery)}`);
    assert.ok(recommendations.includes('rest') && recommendations.length >= 4, `recommendation enum: ${recommendations}`);
    assert.ok(Array.isArray(load.recovery.reasons));
    for (const reason of load.recovery.reasons) {
      assert.ok(isNum(reason.value), `reason without a numeric value: ${show(reason)}`);
      assert.equal(typeof reason.message, 'string');
    }
    assert.ok(Number.isInteger(load.sessions) && load.sessions >= 0);
    if (isNum(load.strain) && isNum(load.monotony)) {
      // Foster: strain = weekly load × monotony (monotony is rounded to 2 decimals).
      near(load.strain, load.weekly_load * load.monotony, 0.01 * load.strain + 1, 'strain = weekly load × monotony');
    }
    assert.ok(load.training_hours >= 0 && load.weekly_load >= 0);
  });

  it('use case 1c: metrics of a ride among them — IF = NP / FTP, TSS = h × IF² × 100', TEST_TIMEOUT, async () => {
    const ftp = configuration.effective.ftp_w.value;
    const isRide = (a) => ['ride', 'virtual_ride'].includes(a.sport_type) && isNum(a.normalized_power_w);
    let ride = latest10.find(isRide);
    if (!ride) ride = (await call('get_activities', { limit: 60 })).activities.find(isRide);
    assert.ok(ride, 'a ride with power in the recent activities');
    const m = await call('calculate_metrics', { activity_id: ride.id });
    assert.equal(m.activity_id, ride.id);
    assert.equal(m.sport_type, ride.sport_type);
    const metrics = m.metrics;
    near(metrics.normalized_power_w, ride.normalized_power_w, 1, 'NP agrees with get_activities');
    near(metrics.intensity_factor, metrics.normalized_power_w / ftp, 0.01, `IF = NP / FTP (${ftp} W)`);
    const tss = (metrics.duration_s / 3600) * metrics.intensity_factor ** 2 * 100;
    near(metrics.training_stress_score, tss, 0.01 * tss, 'TSS = duration_h × IF² × 100');
    assert.ok(metrics.calories_kcal > 0, `calories ${metrics.calories_kcal}`);
    near(metrics.duration_s, ride.moving_time_s, 1, 'duration_s is the moving time');
    near(metrics.distance_m, ride.distance_m, 1, 'distance agrees with get_activities');
  });

  it('use case 1d: nutrition targets — Mifflin–St Jeor BMR and g/kg ranges', TEST_TIMEOUT, async () => {
    const p = configuration.effective;
    const kg = p.weight_kg.value;
    const mifflin = (w, h, age, sex) => 10 * w + 6.25 * h - 5 * age + (sex === 'male' ? 5 : -161);
    const n = await call('calculate_daily_nutrition');
    near(n.bmr_kcal, mifflin(kg, p.height_cm.value, p.age_years.value, p.sex.value), 1, 'BMR (Mifflin–St Jeor)');
    inRange(n.carbohydrate.target_g, 3 * kg, 12 * kg, 'carbohydrate target (3–12 g/kg)');
    inRange(n.carbohydrate.target_g, n.carbohydrate.min_g, n.carbohydrate.max_g, 'carbohydrate target within its range');
    near(n.carbohydrate.min_g, n.carbohydrate.min_g_per_kg * kg, 1, 'carbohydrate min_g = g/kg × weight');
    near(n.carbohydrate.max_g, n.carbohydrate.max_g_per_kg * kg, 1, 'carbohydrate max_g = g/kg × weight');
    inRange(n.protein.target_g, n.protein.min_g, n.protein.max_g, 'protein target within its range');
    inRange(n.protein.target_g, 0.8 * kg, 2.5 * kg, 'protein g/kg');
    inRange(n.fat.target_g, n.fat.min_g, n.fat.max_g, 'fat target within its range');
    assert.ok(n.daily_energy_kcal > n.bmr_kcal, `daily energy ${n.daily_energy_kcal} ≤ BMR ${n.bmr_kcal}`);
    assert.ok(n.training_hours_per_day >= 0);
    // The macros' energy is about the daily energy (4/4/9 kcal per g), within the rounding of three targets.
    const macroKcal = 4 * n.carbohydrate.target_g + 4 * n.protein.target_g + 9 * n.fat.target_g;
    near(macroKcal, n.daily_energy_kcal, 0.1 * n.daily_energy_kcal, 'macro energy vs daily energy');

    // Explicit arguments override the profile (a woman: − 161).
    const other = await call('calculate_daily_nutrition', { weight_kg: 60, height_cm: 165, age: 30, gender: 'female' });
    near(other.bmr_kcal, mifflin(60, 165, 30, 'female'), 1, 'BMR with explicit arguments');
    inRange(other.carbohydrate.target_g, 3 * 60, 12 * 60, 'carbohydrate target for 60 kg');
  });

  it('use case 2: three longest runs of the last 30 days → compare → pace trend', TEST_TIMEOUT, async () => {
    const since = new Date(Date.now() - 30 * DAY_MS).toISOString();
    const runs = await allActivities({ sport_type: 'run', after: since }, 4);
    assert.ok(runs.length >= 3, `at least three runs in 30 days: ${runs.length}`);
    assert.equal(new Set(runs.map((a) => a.id)).size, runs.length, 'no activity on two pages');
    for (let i = 0; i < runs.length; ++i) {
      assert.equal(runs[i].sport_type, 'run');
      assert.ok(Date.parse(runs[i].start_time) >= Date.parse(since), `${runs[i].start_time} is before ${since}`);
      if (i > 0) assert.ok(Date.parse(runs[i - 1].start_time) >= Date.parse(runs[i].start_time), 'pages newest first');
    }
    const longest = [...runs].sort((a, b) => b.distance_m - a.distance_m).slice(0, 3);
    // Oldest first, so the first of the comparison is not necessarily the longest.
    const chosen = [...longest].sort((a, b) => Date.parse(a.start_time) - Date.parse(b.start_time));
    const cmp = await call('compare_activities', { activity_ids: chosen.map((a) => a.id) });
    assert.deepEqual(cmp.activities.map((a) => a.id), chosen.map((a) => a.id), 'activities in the order asked');
    assert.equal(cmp.best.distance_m, longest[0].id, 'best.distance_m is the longest run');
    const byId = new Map(chosen.map((a) => [a.id, a]));
    for (const item of cmp.activities) {
      near(item.metrics.distance_m, byId.get(item.id).distance_m, 0.1, `${item.id}: distance`);
      near(item.metrics.duration_s, byId.get(item.id).moving_time_s, 1, `${item.id}: duration`);
      near(item.metrics.pace_s_per_km, (1000 * item.metrics.duration_s) / item.metrics.distance_m, 0.2, `${item.id}: pace`);
    }
    const longestDuration = cmp.activities.reduce((a, b) => (b.metrics.duration_s > a.metrics.duration_s ? b : a));
    assert.equal(cmp.best.duration_s, longestDuration.id, 'best.duration_s is the longest in time');
    const fastest = cmp.activities.reduce((a, b) => (b.metrics.pace_s_per_km < a.metrics.pace_s_per_km ? b : a));
    assert.equal(cmp.best.pace_s_per_km, fastest.id, 'best.pace_s_per_km is the lowest pace');
    const first = cmp.activities[0].metrics;
    const distanceDiffs = cmp.differences.filter((d) => d.metric === 'distance_m');
    assert.equal(distanceDiffs.length, 2, `one distance difference per other run: ${show(cmp.differences)}`);
    for (const d of distanceDiffs) {
      const other = cmp.activities.find((a) => a.id === d.activity_id);
      assert.ok(other && other !== cmp.activities[0], `difference for ${d.activity_id}`);
      near(d.difference, other.metrics.distance_m - first.distance_m, 0.05, `distance difference of ${d.activity_id}`);
      near(d.difference_pct, 100 * (other.metrics.distance_m / first.distance_m - 1), 0.051, 'distance difference %');
      assert.equal(Math.sign(d.difference), Math.sign(byId.get(d.activity_id).distance_m - chosen[0].distance_m));
    }

    // The pace trend over the quarter.
    const trend = await call('analyze_performance_trends', { metric: 'pace', sport_type: 'run', timeframe: 'quarter' });
    assert.equal(trend.metric, 'pace');
    assert.match(trend.unit, /s\/km/);
    assert.ok(trend.points.length >= 3, `points: ${trend.points.length}`);
    for (const pt of trend.points) inRange(pt.value, 150, 600, `pace of ${pt.activity_id} on ${pt.date}`);
    for (let i = 1; i < trend.points.length; ++i) assert.ok(trend.points[i].date >= trend.points[i - 1].date);
    const oldest = new Date(Date.now() - (trend.timeframe_days + 1) * DAY_MS).toISOString().slice(0, 10);
    assert.ok(trend.points[0].date >= oldest, `first point ${trend.points[0].date} before the window (${oldest})`);
    // The runs we listed that fall in the trend have the pace get_activities implies.
    const runsById = new Map(runs.map((a) => [a.id, a]));
    let matched = 0;
    for (const pt of trend.points) {
      const run = runsById.get(pt.activity_id);
      if (!run) continue;
      ++matched;
      near(pt.value, (1000 * run.moving_time_s) / run.distance_m, 0.5, `trend pace of ${run.id}`);
    }
    assert.ok(matched >= Math.min(3, runs.length), `the last 30 days' runs appear in the quarter's trend (${matched})`);
    const r = trend.regression;
    assert.ok(r, 'a regression with this many points');
    assert.equal(r.n, trend.points.length);
    const [lo, hi] = r.slope_per_week_ci95;
    assert.ok(lo <= r.slope_per_week && r.slope_per_week <= hi, `CI ${lo}…${hi} around slope ${r.slope_per_week}`);
    inRange(r.r_squared, 0, 1, 'r²');
    inRange(r.p_value, 0, 1, 'p');
    assert.ok(schemaEnum('analyze_performance_trends', 'direction').includes(trend.direction), trend.direction);
    if (r.p_value >= 0.05) assert.equal(trend.direction, 'stable', `not significant (p ${r.p_value}) yet ${trend.direction}`);
  });

  it('use case 3: cycling power trend → suggested goals → feasibility → goal tracking', TEST_TIMEOUT, async () => {
    const trend = await call('analyze_performance_trends', { metric: 'power', sport_type: 'ride' });
    assert.equal(trend.metric, 'power');
    assert.equal(trend.unit, 'W');
    assert.ok(trend.points.length >= 2, `power points: ${trend.points.length}`);
    for (const pt of trend.points) inRange(pt.value, 30, 1000, `power of ${pt.activity_id}`);
    const recent = new Map((await call('get_activities', { limit: 60 })).activities.map((a) => [a.id, a]));
    for (const pt of trend.points) {
      const a = recent.get(pt.activity_id);
      if (!a) continue;
      assert.ok(['ride', 'virtual_ride', 'gravel_ride', 'mountain_bike_ride', 'e_bike_ride'].includes(a.sport_type));
      near(pt.value, a.normalized_power_w ?? a.avg_power_w, 0.5, `trend power of ${a.id} (NP, else average)`);
    }
    if (trend.regression) assert.equal(trend.regression.n, trend.points.length);

    const suggestions = await call('suggest_goals', { sport_type: 'ride' });
    assert.ok(suggestions.suggestions.length >= 1, show(suggestions));
    const today = new Date().toISOString().slice(0, 10);
    const goalTypes = tools.get('set_goal').inputSchema.properties.goal_type.enum;
    for (const s of suggestions.suggestions) {
      assert.ok(goalTypes.includes(s.goal_type), `suggested goal_type ${s.goal_type} is not one set_goal takes`);
      assert.ok(s.target_value > 0 && s.target_date >= today, show(s));
      assert.equal(typeof s.title, 'string');
    }
    const all = await call('suggest_goals', { goal_category: 'all' });
    assert.ok(all.suggestions.length >= suggestions.suggestions.length);

    // The suggested FTP goal starts from the profile's FTP.
    const ftpGoal = suggestions.suggestions.find((s) => s.goal_type === 'ftp');
    if (ftpGoal) assert.ok(ftpGoal.target_value > configuration.effective.ftp_w.value, show(ftpGoal));

    const chosen = suggestions.suggestions.find((s) => s.goal_type === 'distance') ?? suggestions.suggestions[0];
    const goalData = {
      title: chosen.title,
      goal_type: chosen.goal_type,
      target_value: chosen.target_value,
      target_date: chosen.target_date,
      ...(chosen.sport_type ? { sport_type: chosen.sport_type } : {}),
      ...(chosen.target_distance_m ? { target_distance_m: chosen.target_distance_m } : {}),
    };
    const feasibility = await call('analyze_goal_feasibility', { goal_data: goalData });
    assert.ok(schemaEnum('analyze_goal_feasibility', 'verdict').includes(feasibility.verdict), show(feasibility));
    assert.ok(Number.isInteger(feasibility.score), `score ${feasibility.score}`);
    inRange(feasibility.score, 0, 100, 'feasibility score');
    assert.equal(feasibility.target_value, chosen.target_value);
    assert.equal(feasibility.goal_id, null, 'goal_data is not stored');
    assert.equal(typeof feasibility.feasible, 'boolean');
    assert.ok(feasibility.weeks_remaining > 0);
    assert.ok(feasibility.reasons.length >= 1, 'the verdict says why');

    const goal = await call('set_goal', goalData);
    assert.equal(typeof goal.goal_id, 'string');
    assert.equal(goal.target_value, chosen.target_value);
    assert.equal(goal.target_date, chosen.target_date);
    assert.equal(goal.status, 'active');
    const progress = await call('track_progress', { goal_id: goal.goal_id });
    assert.equal(progress.goal_id, goal.goal_id);
    assert.equal(progress.target_value, goal.target_value);
    assert.ok(progress.current_value >= 0 && progress.percent_complete >= 0, show(progress));
    near(progress.percent_complete, (100 * progress.current_value) / progress.target_value, 0.1, 'percent_complete');
    inRange(progress.time_elapsed_percent, 0, 100, 'time elapsed %');
    assert.ok(progress.days_remaining > 0, `days_remaining ${progress.days_remaining}`);
    const stored = await call('analyze_goal_feasibility', { goal_id: goal.goal_id });
    assert.equal(stored.goal_id, goal.goal_id);
    assert.equal(stored.target_value, feasibility.target_value);
    assert.equal(stored.goal_type, feasibility.goal_type);
    const missing = await callRaw('track_progress', { goal_id: 'goal_does_not_exist_42' });
    assert.equal(missing.isError, true, `track_progress of an unknown goal: ${show(missing)}`);
  });

  it('use case 4a: training load over a week and a month — windows and today\'s PMC', TEST_TIMEOUT, async () => {
    const week = await call('analyze_training_load', { timeframe: 'week' });
    const month = await call('analyze_training_load', { timeframe: 'month' });
    loadMonth = month;
    for (const [name, load] of [['week', week], ['month', month]]) {
      assert.ok(load.window?.days > 0, `${name}: window ${show(load.window)}`);
      assert.equal(load.daily.length, load.window.days, `${name}: one daily entry per day of the window`);
      assert.equal(load.daily.at(-1).date, load.window.to, `${name}: the series ends on the window's last day`);
      assert.equal(load.daily[0].date, load.window.from, `${name}: the series starts on the window's first day`);
      near(load.weekly_load, load.daily.slice(-7).reduce((a, d) => a + d.load, 0), 1 + 0.1 * 7, `${name}: weekly_load`);
    }
    assert.equal(week.window.days, 7);
    assert.ok(month.window.days > week.window.days);
    // Today's PMC does not depend on the window shown.
    assert.equal(week.ctl, month.ctl, 'ctl is the same for both windows');
    assert.equal(week.atl, month.atl, 'atl is the same for both windows');
    assert.equal(week.tsb, month.tsb, 'tsb is the same for both windows');
    assert.equal(week.acwr, month.acwr, 'acwr is the same for both windows');
    // The advice does not depend on the window either. (Its reasons' values may differ in the 2nd decimal: each window
    // starts the PMC 365 days before its own first day, so CTL carries a slightly different tail of old history.)
    assert.equal(week.recovery.recommendation, month.recovery.recommendation, 'the same recommendation');
    assert.equal(week.recovery.tsb_band, month.recovery.tsb_band, 'the same TSB band');
    assert.deepEqual(week.recovery.reasons.map((r) => r.metric), month.recovery.reasons.map((r) => r.metric));
    week.recovery.reasons.forEach((r, i) => near(r.value, month.recovery.reasons[i].value, 0.05, `reason ${r.metric}`));
    assert.ok(week.sessions <= month.sessions && week.training_hours <= month.training_hours);
  });

  it('use case 4b: recovery advice, fitness score and training load agree', TEST_TIMEOUT, async () => {
    const recs = await call('generate_recommendations', { recommendation_type: 'recovery' });
    assert.ok(recs.recommendations.length >= 1, show(recs));
    for (const r of recs.recommendations) assert.equal(r.category, 'recovery', 'only recovery recommendations');
    const recovery = recs.recommendations[0];
    assert.ok(isNum(recovery.based_on.tsb), show(recovery));
    assert.ok(['high', 'medium', 'low'].includes(recovery.priority), recovery.priority);

    const everything = await call('generate_recommendations', {});
    const categories = new Set(everything.recommendations.map((r) => r.category));
    assert.ok(categories.has('recovery'), `all includes recovery: ${[...categories]}`);
    for (const c of categories) assert.ok(['training', 'recovery', 'nutrition', 'equipment'].includes(c), c);
    const nutrition = everything.recommendations.find((r) => r.category === 'nutrition');
    if (nutrition?.based_on?.bmr_kcal !== undefined) {
      const n = await call('calculate_daily_nutrition');
      assert.equal(nutrition.based_on.bmr_kcal, n.bmr_kcal, 'nutrition advice uses calculate_daily_nutrition');
      assert.equal(nutrition.based_on.daily_energy_kcal, n.daily_energy_kcal);
    }

    // The fitness score is a weighted mean of its components, one of which is today's form (TSB) and one CTL.
    const fitness = await call('calculate_fitness_score');
    inRange(fitness.fitness_score, 0, 100, 'fitness_score');
    let weighted = 0;
    let weights = 0;
    for (const c of fitness.components) {
      inRange(c.score, 0, 100, `component ${c.name}`);
      assert.ok(c.weight > 0 && c.weight <= 1, `${c.name} weight ${c.weight}`);
      assert.equal(typeof c.method, 'string');
      weighted += c.score * c.weight;
      weights += c.weight;
    }
    near(fitness.fitness_score, weighted / weights, 1, 'fitness_score = Σ score × weight / Σ weight');
    const form = fitness.components.find((c) => c.name === 'form');
    if (form) near(form.value, recovery.based_on.tsb, 0.05, "the form component is the recommendation's TSB");
    const aerobic = fitness.components.find((c) => c.name === 'aerobic_load');
    const consistency = fitness.components.find((c) => c.name === 'consistency');
    const patterns = await call('detect_patterns', { timeframe: 'quarter' });
    if (consistency && patterns.timeframe_days === fitness.timeframe_days) {
      near(consistency.value, patterns.training_consistency.score, 1, 'consistency = detect_patterns over the same days');
    }
    const mix = patterns.intensity_distribution;
    near(mix.low_pct + mix.moderate_pct + mix.high_pct, 100, 0.2, 'the intensity distribution sums to 100 %');
    const vo2 = fitness.components.find((c) => c.name === 'vo2max');
    if (vo2) assert.equal(vo2.value, configuration.effective.vo2max.value, 'the VO2max component is the profile value');

    // Last, against analyze_training_load itself (the same TSB, ACWR, CTL; the same advice).
    const month = loadMonth ?? (await call('analyze_training_load', { timeframe: 'month' }));
    assert.equal(recovery.based_on.tsb, month.tsb, 'the recommendation is based on the same TSB');
    assert.equal(recovery.based_on.acwr, month.acwr, 'the recommendation is based on the same ACWR');
    if (month.recovery.recommendation === 'rest') assert.equal(recovery.priority, 'high');
    if (aerobic) near(aerobic.value, month.ctl, 0.05, 'the aerobic load component is CTL');
  });

  it('race predictions: VDOT and Riegel from the same best run', TEST_TIMEOUT, async () => {
    const pred = await call('predict_performance', {});
    assert.ok(pred.vdot > 20 && pred.vdot < 90, `vdot ${pred.vdot}`);
    assert.ok(pred.predictions.length >= 2);
    const methods = new Set(pred.predictions.map((x) => x.method));
    for (const m of methods) assert.ok(['vdot_daniels_gilbert', 'riegel_1981'].includes(m), m);
    for (const x of pred.predictions.filter((y) => y.method === 'riegel_1981')) {
      const expected = pred.based_on.time_s * (x.distance_m / pred.based_on.distance_m) ** pred.riegel_exponent;
      near(x.time_s, expected, 1.5, `Riegel time for ${x.distance_m} m`);
    }
    for (const m of methods) {
      const ofMethod = pred.predictions.filter((y) => y.method === m).sort((a, b) => a.distance_m - b.distance_m);
      for (let i = 1; i < ofMethod.length; ++i) {
        assert.ok(ofMethod[i].time_s / ofMethod[i].distance_m > ofMethod[i - 1].time_s / ofMethod[i - 1].distance_m,
          `${m}: longer races are run slower`);
      }
    }
    const ten = await call('predict_performance', { target_distance: 10000 });
    assert.ok(ten.predictions.every((x) => x.distance_m === 10000), show(ten.predictions));
    for (const x of ten.predictions) {
      const same = pred.predictions.find((y) => y.distance_m === 10000 && y.method === x.method);
      if (same) assert.equal(x.time_s, same.time_s, `10 km by ${x.method}`);
    }
  });

  it('use case 5: the best slot for an outdoor run from the (fake) weather forecast', TEST_TIMEOUT, async () => {
    const patterns = await call('detect_patterns', { pattern_type: 'weekly_schedule' });
    const schedule = patterns.weekly_schedule;
    assert.ok(schedule.usual_slots.length >= 1, show(schedule));
    for (const slot of schedule.usual_slots) {
      assert.ok(Number.isInteger(slot.hour) && slot.hour >= 0 && slot.hour <= 23, show(slot));
      assert.ok(WEEKDAYS.includes(slot.weekday), show(slot));
      inRange(slot.fraction_of_weeks, 0, 1, 'fraction_of_weeks');
    }
    for (let i = 1; i < schedule.usual_slots.length; ++i) {
      assert.ok(schedule.usual_slots[i].fraction_of_weeks <= schedule.usual_slots[i - 1].fraction_of_weeks,
        'usual slots, most regular first');
    }
    for (const h of schedule.most_common_hours) assert.ok(Number.isInteger(h) && h >= 0 && h <= 23, `hour ${h}`);
    for (const [day, v] of Object.entries(schedule.per_weekday)) {
      assert.ok(WEEKDAYS.includes(day) && v.sessions >= 0 && v.hours >= 0, `${day}: ${show(v)}`);
    }

    const requestsBefore = weather.requests.length;
    const forecast = await call('get_weather_forecast', { sport_type: 'run' });
    const onecall = weather.requests.slice(requestsBefore).filter((r) => r.path === '/data/3.0/onecall');
    // The fake answers 401 to any other appid, so a forecast means the key was sent.
    assert.equal(onecall.length, 1, `one forecast request to the fake: ${show(weather.requests.slice(requestsBefore))}`);
    assert.equal(onecall[0].query.units, 'metric');
    assert.ok(forecast.slots.length >= 1, show(forecast));
    for (let i = 0; i < forecast.slots.length; ++i) {
      const s = forecast.slots[i];
      assert.ok(Number.isInteger(s.score), `score ${s.score}`);
      inRange(s.score, 0, 100, 'slot score');
      if (i > 0) assert.ok(s.score <= forecast.slots[i - 1].score, 'slots sorted by score, best first');
      const t = Date.parse(s.start_time);
      assert.ok(t >= Date.now() - 3600000 && t <= Date.now() + 49 * 3600000, `slot ${s.start_time} in the 48 h`);
      inRange(s.precipitation_probability, 0, 1, 'precipitation probability');
      assert.ok(s.reasons.length >= 1, 'each slot says why');
    }
    assert.deepEqual(forecast.best_slot, forecast.slots[0], 'best_slot is the first slot');
    const { latitude, longitude } = forecast.location;
    assert.ok(twoDecimals(latitude) && twoDecimals(longitude), `location rounded to 2 decimals: ${latitude}, ${longitude}`);
    assert.equal(Number(onecall[0].query.lat), latitude, 'the fake was asked for the reported location');
    assert.equal(Number(onecall[0].query.lon), longitude);
    // The preferred hours come from the athlete's schedule.
    const usualHours = new Set([...schedule.usual_slots.map((s) => s.hour), ...schedule.most_common_hours]);
    for (const h of forecast.preferred_hours) {
      assert.ok(usualHours.has(h), `preferred hour ${h} is not one of detect_patterns' usual hours ${[...usualHours]}`);
    }
    // A slot's temperature is the fake's for that hour and place.
    const best = forecast.best_slot;
    const hourAt = fakeHour(Number(onecall[0].query.lat), Number(onecall[0].query.lon), Date.parse(best.start_time) / 1000, true);
    near(best.temperature_c, hourAt.temp, 0.06, `temperature of the best slot (${best.start_time})`);

    // Explicit coordinates are rounded too, and a ride is scored with its own comfort band.
    const ride = await call('get_weather_forecast', { sport_type: 'ride', latitude: 46.0512, longitude: 14.5061 });
    assert.equal(ride.location.latitude, 46.05);
    assert.equal(ride.location.longitude, 14.51);
    assert.equal(ride.sport_type, 'ride');
    assert.deepEqual(ride.best_slot, ride.slots[0]);

    // Historical weather of an outdoor run: the fake's hour within the activity.
    const runs = (await call('get_activities', { sport_type: 'run', limit: 5 })).activities;
    assert.ok(runs.length >= 1);
    const run = runs[0];
    const mark = weather.requests.length;
    const analysis = await call('analyze_activity', { activity_id: run.id });
    assert.equal(analysis.activity.id, run.id);
    assert.equal(analysis.weather.status, 'ok', `weather: ${show(analysis.weather)}`);
    const w = analysis.weather.conditions.weather;
    assert.ok(isNum(w.temperature_c), `temperature_c: ${show(w)}`);
    const history = weather.requests.slice(mark).filter((r) => r.path === '/data/3.0/onecall/timemachine');
    if (history.length > 0) {
      const q = history.at(-1).query;
      const start = Date.parse(run.start_time) / 1000;
      inRange(Number(q.dt), start - 3600, start + run.elapsed_time_s, 'the weather hour is within the activity');
      near(w.temperature_c, fakeHour(Number(q.lat), Number(q.lon), Number(q.dt), false).temp, 0.06, 'historical temp');
    }
    inRange(w.temperature_c, -40, 50, 'temperature_c');
    if (isNum(w.humidity_pct)) inRange(w.humidity_pct, 0, 100, 'humidity');
    for (const insight of analysis.insights) assert.equal(typeof insight, 'string');
    near(analysis.metrics.distance_m, run.distance_m, 0.1, 'analyze_activity distance');

    const intel = await call('get_activity_intelligence', { activity_id: run.id, include_weather: true, include_location: true });
    assert.equal(intel.activity_id, run.id);
    assert.ok(intel.location, 'include_location gives a location');
    assert.equal(intel.location.latitude, analysis.weather.conditions.latitude);
    assert.equal(intel.location.longitude, analysis.weather.conditions.longitude);
    assert.equal(intel.weather.status, 'ok');
    assert.equal(intel.key_metrics.training_stress_score, analysis.metrics.training_stress_score);
    assert.equal(intel.key_metrics.distance_m, analysis.metrics.distance_m);
    assert.equal(typeof intel.summary, 'string');
  });

  it('configuration tools: catalog, profiles, zones, validation and an update that changes IF', TEST_TIMEOUT, async () => {
    const catalog = await call('get_configuration_catalog');
    const keys = new Set(catalog.catalog.categories.flatMap((c) => c.parameters.map((p) => p.key)));
    for (const key of Object.keys(configuration.configured)) assert.ok(keys.has(key), `${key} is not in the catalog`);
    const profiles = await call('get_configuration_profiles');
    assert.ok(profiles.profiles.some((p) => p.name === configuration.profile), `profile ${configuration.profile}`);
    assert.equal(profiles.profiles.filter((p) => p.default).length, 1, 'one default profile');

    const e = configuration.effective;
    const zones = await call('calculate_personalized_zones');
    const karvonen = zones.heart_rate.find((z) => /karvonen/.test(z.method));
    assert.ok(karvonen, `zones: ${show(zones.heart_rate.map((z) => z.method))}`);
    const hrr = e.max_hr_bpm.value - e.resting_hr_bpm.value;
    near(karvonen.zones[0].min, e.resting_hr_bpm.value + 0.5 * hrr, 1, 'Karvonen Z1 floor = rest + 50 % HRR');
    for (const set of [...zones.heart_rate, ...(zones.power ? [zones.power] : [])]) {
      for (let i = 1; i < set.zones.length; ++i) {
        near(set.zones[i].min, set.zones[i - 1].max, 1, `${set.method}: ${set.zones[i].zone} starts where the last ends`);
      }
      assert.equal(set.zones.at(-1).max, null, `${set.method}: the top zone is open`);
    }
    if (zones.power) near(zones.power.zones[0].max, 0.55 * e.ftp_w.value, 1, 'Coggan Z1 tops at 55 % FTP');

    assert.equal((await call('validate_configuration', { parameters: { ftp_w: e.ftp_w.value + 10 } })).valid, true);
    const bad = await call('validate_configuration', { parameters: { ftp_w: 5000 } });
    assert.equal(bad.valid, false);
    assert.ok(bad.problems.some((p) => p.parameter === 'ftp_w'), show(bad));

    // A higher FTP lowers the intensity factor of the same ride; restoring it restores IF.
    const ride = (await call('get_activities', { sport_type: 'ride', limit: 10 })).activities.find((a) =>
      isNum(a.normalized_power_w));
    assert.ok(ride, 'a ride with power');
    const ftp = e.ftp_w.value;
    const higher = ftp + 40;
    await call('update_user_configuration', { parameters: { ftp_w: higher } });
    try {
      const updated = await call('get_user_configuration');
      assert.equal(updated.effective.ftp_w.value, higher);
      const m = (await call('calculate_metrics', { activity_id: ride.id })).metrics;
      near(m.intensity_factor, m.normalized_power_w / higher, 0.01, 'IF with the new FTP');
    } finally {
      await call('update_user_configuration', { parameters: { ftp_w: ftp } });
    }
    const restored = await call('get_user_configuration');
    assert.equal(restored.effective.ftp_w.value, ftp);
  });

  it('bad input is an error result and the server stays healthy', TEST_TIMEOUT, async () => {
    const unknown = 'act_doesNotExist0042';
    const missing = await callRaw('analyze_activity', { activity_id: unknown });
    assert.equal(missing.isError, true, show(missing));
    assert.ok(textOf(missing).includes(unknown), `the message names the id: ${textOf(missing)}`);

    let outcome;
    try {
      outcome = await callRaw('analyze_training_load', { timeframe: 'decade' });
    } catch (err) {
      outcome = err; // a JSON-RPC error (invalid params) is fine too
    }
    if (outcome instanceof Error) {
      assert.match(String(outcome.message), /timeframe|invalid|enum/i, String(outcome));
    } else {
      assert.equal(outcome.isError, true, `timeframe "decade" accepted: ${show(outcome)}`);
      assert.match(textOf(outcome), /timeframe/, textOf(outcome));
    }
    // Still serving.
    const still = await call('get_activities', { limit: 1 });
    assert.equal(still.activities.length, 1);

    // The file and provider tools, with harmless arguments.
    if (tools.has('import_activity_file')) {
      const imported = await callRaw('import_activity_file', { content_base64: Buffer.from('not a fit file').toString('base64') });
      assert.equal(imported.isError, true, show(imported));
    }
    if (tools.has('disconnect_provider')) {
      const out = await call('disconnect_provider', { provider: 'strava' });
      assert.equal(out.was_connected, false);
      assert.equal(out.deleted_activities, 0);
    }
    const status = await call('get_connection_status', {});
    const athlete = await call('get_athlete');
    assert.equal(status.local_activity_count, athlete.activity_count, 'nothing was deleted');
  });

  it('every tool with an outputSchema was called, and the API key never left the server', TEST_TIMEOUT, () => {
    const withSchema = [...tools.values()].filter((t) => t.outputSchema).map((t) => t.name);
    assert.ok(withSchema.length >= 20, `tools with an outputSchema: ${withSchema}`);
    const notCalled = withSchema.filter((n) => !called.has(n) && !NEED_EXTERNAL.has(n));
    assert.deepEqual(notCalled, [], `tools never called: ${notCalled}`);
    for (const out of outputs) {
      assert.ok(!out.includes(FAKE_OPENWEATHER_KEY), `the OpenWeather key appears in ${out.slice(0, 300)}`);
    }
    assert.ok(!server.stderr().includes(FAKE_OPENWEATHER_KEY), 'the OpenWeather key appears in the server log');
  });

  it('server shuts down cleanly on SIGTERM', TEST_TIMEOUT, async () => {
    await client.close();
    const exit = await server.stop();
    assert.equal(exit.code, 0, describeExit(exit));
    assert.ok(!exit.stderr.includes(FAKE_OPENWEATHER_KEY), 'the OpenWeather key appears in the server log');
  });
});
