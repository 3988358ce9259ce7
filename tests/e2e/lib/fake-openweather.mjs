// A fake OpenWeather One Call API 3.0 for e2e tests: plain HTTP on 127.0.0.1 (an ephemeral port), the provider's
// wire format for the two endpoints the server's weather client calls —
//   GET /data/3.0/onecall/timemachine?lat&lon&dt&units=metric&appid → {lat, lon, timezone, timezone_offset, data: [1]}
//   GET /data/3.0/onecall?lat&lon&exclude=…&units=metric&appid        → {lat, lon, timezone, timezone_offset, hourly: [48]}
// with deterministic values derived from (lat, lon, dt) — the same model as tests/support/fake_openweather.cpp — and
// the real API's 401 body for a missing or wrong appid.
//
//   const weather = await startFakeOpenWeather({ apiKey: 'k' });
//   // start the server with OPENWEATHER_API_KEY=k OPENWEATHER_API_BASE_URL=weather.url
//   weather.requests   // [{ path, query }] of every request, appid removed from query (tests may log them)
//   weather.setMode('rate_limited')   // 'normal' | 'unauthorized' | 'rate_limited' | 'server_error' | 'garbage'
//   weather.setNow(epochSeconds)      // forecasts start at this hour (default: the clock at each request)
//   await weather.close();
import http from 'node:http';

export const FAKE_OPENWEATHER_KEY = 'test-openweather-key-5f3a9c';

const round2 = (x) => Math.round(x * 100) / 100;

/** The hour the fake serves for (lat, lon, dt), in One Call's metric shape; `forecast` adds `pop`. */
export function fakeHour(lat, lon, dt, forecast) {
  const index = Math.floor(dt / 3600);
  const solar = ((((dt / 3600 + lon / 15) % 24) + 24) % 24);
  const phase = (2 * Math.PI * (solar - 9)) / 24;
  const temp = round2(14 - 0.15 * Math.abs(lat) + 7 * Math.sin(phase));
  const wind = round2(2 + 2 * (1 + Math.sin(index * 0.5 + lat)));
  const rainy = ((index % 6) + 6) % 6 === 0;
  const day = solar >= 6 && solar < 20;
  const hour = {
    dt,
    temp,
    feels_like: round2(temp - 0.3 * wind),
    pressure: 1015,
    humidity: Math.round(70 - 20 * Math.sin(phase)),
    dew_point: round2(temp - 4),
    uvi: day ? 2.1 : 0,
    clouds: (((index * 37) % 101) + 101) % 101,
    visibility: 10000,
    wind_speed: wind,
    wind_deg: 240,
    wind_gust: round2(wind * 1.6),
    weather: [
      rainy
        ? { id: 500, main: 'Rain', description: 'light rain', icon: day ? '10d' : '10n' }
        : { id: 800, main: 'Clear', description: 'clear sky', icon: day ? '01d' : '01n' },
    ],
  };
  if (rainy) hour.rain = { '1h': 1.5 };
  if (forecast) hour.pop = rainy ? 0.8 : 0.1 * (((index % 3) + 3) % 3);
  return hour;
}

export function fakeTimezoneOffset(lon) {
  return Math.round(lon / 15) * 3600;
}

/**
 * Starts the fake. Options: apiKey (the only appid accepted; default FAKE_OPENWEATHER_KEY), port (default 0 = any).
 * Resolves to { url, requests, setMode, setNow, close }.
 */
export async function startFakeOpenWeather({ apiKey = FAKE_OPENWEATHER_KEY, port = 0 } = {}) {
  let mode = 'normal';
  let now = null;
  const requests = [];

  const send = (res, status, body, type = 'application/json; charset=utf-8') => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), connection: 'close' });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://fake.invalid');
    const query = Object.fromEntries(url.searchParams);
    const appid = query.appid;
    delete query.appid;
    requests.push({ path: url.pathname, query });
    if (req.method !== 'GET') return send(res, 405, { cod: '405', message: 'Method not allowed' });
    if (mode === 'unauthorized' || appid !== apiKey) {
      return send(res, 401, {
        cod: 401,
        message: 'Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.',
      });
    }
    if (mode === 'rate_limited') {
      return send(res, 429, {
        cod: 429,
        message:
          'Your account is temporary blocked due to exceeding of requests limitation of your subscription type.',
      });
    }
    if (mode === 'server_error') return send(res, 503, 'upstream unavailable', 'text/plain');
    if (mode === 'garbage') return send(res, 200, '<html>definitely not json');

    const lat = Number(query.lat);
    const lon = Number(query.lon);
    if (query.lat === undefined || query.lon === undefined || !(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180)) {
      return send(res, 400, { cod: '400', message: 'wrong latitude' });
    }
    const body = { lat, lon, timezone: 'Etc/Fake', timezone_offset: fakeTimezoneOffset(lon) };
    if (url.pathname === '/data/3.0/onecall/timemachine') {
      const dt = Number(query.dt);
      if (!Number.isInteger(dt)) return send(res, 400, { cod: '400', message: 'wrong dt' });
      return send(res, 200, { ...body, data: [fakeHour(lat, lon, dt, false)] });
    }
    if (url.pathname === '/data/3.0/onecall') {
      const start = Math.floor((now ?? Date.now() / 1000) / 3600) * 3600;
      const hourly = Array.from({ length: 48 }, (_, h) => fakeHour(lat, lon, start + h * 3600, true));
      return send(res, 200, { ...body, hourly });
    }
    return send(res, 404, { cod: '404', message: 'Internal error' });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address();
  return {
    url: `http://127.0.0.1:${bound}`,
    requests,
    setMode(next) {
      if (!['normal', 'unauthorized', 'rate_limited', 'server_error', 'garbage'].includes(next)) {
        throw new Error(`unknown fake OpenWeather mode ${next}`);
      }
      mode = next;
    },
    setNow(epochSeconds) {
      now = epochSeconds;
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}

export { startFakeOpenWeather as start };
