// Our FIT decoder (through the pierre-fit-dump tool) against Garmin's official FIT SDK (@garmin/fitsdk), file by file
// over ../shared/samples/fit. The SDK is used only to check decoded values (its licence forbids benchmarking with
// it). Compared: record message counts; session totals; every record's timestamp, position, distance, speed and
// enhanced_speed, altitude and enhanced_altitude, heart rate, cadence, power, temperature — both in the generic
// message list (fit::decode) and in the Recording's samples (fit::decode_recording, SI units). Session fields too.
//
// Files the SDK refuses or flags are asserted explicitly (EXPECTED below): compressed-timestamp files are checked
// against the FIT protocol instead (python-fitparse's CSV dump, monotonic timestamps from the 5-bit offsets); for
// damaged files the SDK's partial result must equal ours and our warning or error must name the offset and reason.
//
// The dump tool is $PIERRE_FIT_DUMP_BIN, else $PIERRE_FIT_DUMP_BIN_DEFAULT (ctest sets it), else build/dev's.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Decoder, Stream } from '@garmin/fitsdk';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const samples = path.resolve(repo, '..', 'shared', 'samples', 'fit');
const dumpBin =
  process.env.PIERRE_FIT_DUMP_BIN ||
  process.env.PIERRE_FIT_DUMP_BIN_DEFAULT ||
  path.join(repo, 'build', 'dev', 'apps', 'fit-dump', 'pierre-fit-dump');

const FIT_EPOCH_MS = 631065600000;
const SEMICIRCLE_DEG = 180 / 2 ** 31;

// What we expect where the SDK reports an error. `warning`/`error` are regexps on our message; `offset` is the byte
// offset our error names; `compare` says whether the SDK's (partial) messages must still equal ours.
const EXPECTED = {
  'activity-filecrc.fit': { warning: /file CRC mismatch at offset 769/, compare: true },
  'activity-activity-filecrc.fit': { warning: /file CRC mismatch at offset 1540/, compare: true },
  'activity-unexpected-eof.fit': { warning: /stopped at offset 751 .*truncated/, compare: true },
  'activity-settings-nodata.fit': { warning: /stopped at offset 783 .*truncated/, compare: true },
  'activity-settings-corruptheader.fit': { error: /no "\.FIT" signature/, offset: 779 },
  'nick.fit': { warning: /stopped at offset 403437 .*runs past the end of the data/, compare: true },
  'strava-android-app-201.10-b1218918.fit': {
    warning: /stopped at offset 7471 .*undefined local message type 11/,
    compare: true,
  },
  'antfs-dump.63.fit': { compressed: true },
  'compressed-speed-distance.fit': { compressed: true, csv: 'compressed-speed-distance-records.csv' },
};

const snake = (s) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();

function dump(file) {
  try {
    return { status: 0, json: JSON.parse(execFileSync(dumpBin, [file], { maxBuffer: 1 << 30, encoding: 'utf8' })) };
  } catch (e) {
    if (e.status === 1 && e.stdout) return { status: 1, json: JSON.parse(e.stdout) };
    throw e;
  }
}

function sdk(file) {
  const stream = Stream.fromBuffer(fs.readFileSync(file));
  const decoder = new Decoder(stream);
  return decoder.read({
    expandComponents: true,
    expandSubFields: true,
    applyScaleAndOffset: true,
    convertTypesToStrings: true,
    convertDateTimesToDates: true,
    mergeHeartRates: false,
  });
}

const first = (v) => (Array.isArray(v) ? v[0] : v);
const num = (v) => (v === undefined || v === null ? null : first(v));

function close(actual, expected, what, tolerance = 1e-9) {
  if (expected === null || expected === undefined) {
    assert.ok(actual === null || actual === undefined, `${what}: expected no value, got ${actual}`);
    return;
  }
  assert.ok(actual !== null && actual !== undefined, `${what}: expected ${expected}, got nothing`);
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `${what}: expected ${expected}, got ${actual}`,
  );
}

const ourMessages = (json, name) => (json.messages ?? []).filter((m) => m.name === name);
const dateMs = (d) => (d instanceof Date ? d.getTime() : null);
const fitMs = (seconds) => (seconds === null || seconds === undefined ? null : seconds * 1000 + FIT_EPOCH_MS);

// Generic record messages against the SDK's recordMesgs, one to one.
function compareRecords(ours, theirs, file) {
  const records = ourMessages(ours, 'record');
  assert.equal(records.length, theirs.length, `${file}: record count`);
  const pairs = [
    ['position_lat', 'positionLat'],
    ['position_long', 'positionLong'],
    ['distance', 'distance'],
    ['speed', 'speed'],
    ['enhanced_speed', 'enhancedSpeed'],
    ['altitude', 'altitude'],
    ['enhanced_altitude', 'enhancedAltitude'],
    ['heart_rate', 'heartRate'],
    ['cadence', 'cadence'],
    ['power', 'power'],
    ['temperature', 'temperature'],
  ];
  records.forEach((m, i) => {
    const t = theirs[i];
    const where = `${file} record #${i}`;
    close(fitMs(m.fields.timestamp), dateMs(t.timestamp), `${where} timestamp`);
    for (const [o, s] of pairs) close(num(m.fields[o]), num(t[s]), `${where} ${o}`);
  });
}

// The Recording's samples (all sessions, by time) against the SDK's timestamped records, in SI units.
function compareSamples(ours, theirs, file) {
  const sessions = ours.recording.sessions;
  const samples = [];
  for (const s of sessions) {
    const c = s.samples;
    c.time_ms.forEach((t, i) => samples.push(Object.fromEntries(Object.keys(c).map((k) => [k, c[k][i]]))));
  }
  const timed = theirs.filter((r) => r.timestamp instanceof Date);
  assert.equal(samples.length, timed.length, `${file}: sample count`);
  const order = (list, key) =>
    list.map((v, i) => [key(v), i, v]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2]);
  const a = order(samples, (s) => s.time_ms);
  const b = order(timed, (r) => r.timestamp.getTime());
  a.forEach((s, i) => {
    const r = b[i];
    const where = `${file} sample #${i}`;
    assert.equal(s.time_ms, r.timestamp.getTime(), `${where} time`);
    const both = r.positionLat != null && r.positionLong != null;
    close(s.latitude_deg, both ? r.positionLat * SEMICIRCLE_DEG : null, `${where} latitude`);
    close(s.longitude_deg, both ? r.positionLong * SEMICIRCLE_DEG : null, `${where} longitude`);
    close(s.altitude_m, num(r.enhancedAltitude) ?? num(r.altitude), `${where} altitude`);
    close(s.speed_mps, num(r.enhancedSpeed) ?? num(r.speed), `${where} speed`);
    close(s.distance_m, num(r.distance), `${where} distance`);
    close(s.heart_rate_bpm, num(r.heartRate), `${where} heart rate`);
    const cadence = num(r.cadence) === null ? null : num(r.cadence) + (num(r.fractionalCadence) ?? 0);
    close(s.cadence_rpm, cadence, `${where} cadence`);
    close(s.power_w, num(r.power), `${where} power`);
    close(s.temperature_c, num(r.temperature), `${where} temperature`);
  });
}

function compareSessions(ours, theirs, file) {
  const sessions = ourMessages(ours, 'session');
  assert.equal(sessions.length, theirs.length, `${file}: session count`);
  const fields = [
    ['total_elapsed_time', 'totalElapsedTime'],
    ['total_timer_time', 'totalTimerTime'],
    ['total_distance', 'totalDistance'],
    ['avg_heart_rate', 'avgHeartRate'],
    ['max_heart_rate', 'maxHeartRate'],
    ['avg_power', 'avgPower'],
    ['total_ascent', 'totalAscent'],
    ['enhanced_avg_speed', 'enhancedAvgSpeed'],
  ];
  sessions.forEach((m, i) => {
    const t = theirs[i];
    const where = `${file} session #${i}`;
    close(fitMs(m.fields.start_time), dateMs(t.startTime), `${where} start_time`);
    for (const [o, s] of fields) close(num(m.fields[o]), num(t[s]), `${where} ${o}`);
    assert.equal(m.fields.sport ?? null, t.sport === undefined ? null : snake(String(t.sport)), `${where} sport`);
  });
  // The Recording's sessions carry the same totals in SI units (sorted by start time).
  const rec = [...ours.recording.sessions].sort((x, y) => x.totals.start_time_ms - y.totals.start_time_ms);
  const sdkSorted = [...theirs].sort((x, y) => dateMs(x.startTime) - dateMs(y.startTime));
  if (theirs.length === 0) return;
  assert.equal(rec.length, theirs.length, `${file}: recording session count`);
  rec.forEach((s, i) => {
    const t = sdkSorted[i];
    const where = `${file} recording session #${i}`;
    assert.equal(s.totals.start_time_ms, dateMs(t.startTime), `${where} start`);
    close(s.totals.elapsed_s, num(t.totalElapsedTime), `${where} elapsed`);
    close(s.totals.timer_s, num(t.totalTimerTime), `${where} timer`);
    close(s.totals.distance_m, num(t.totalDistance), `${where} distance`);
    close(s.totals.avg_heart_rate_bpm, num(t.avgHeartRate), `${where} avg hr`);
    close(s.totals.max_heart_rate_bpm, num(t.maxHeartRate), `${where} max hr`);
    close(s.totals.avg_power_w, num(t.avgPower), `${where} avg power`);
    close(s.totals.ascent_m, num(t.totalAscent), `${where} ascent`);
    assert.equal(s.sport, t.sport === undefined ? 'generic' : snake(String(t.sport)), `${where} sport`);
  });
}

function readCsv(file) {
  const [head, ...rows] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const keys = head.split(',').map((k) => k.trim());
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [keys[i], v === 'null' ? null : Number(v)])));
}

const files = fs.existsSync(samples) ? fs.readdirSync(samples).filter((f) => /\.fit$/i.test(f)).sort() : [];

describe('FIT decoder vs @garmin/fitsdk', () => {
  it('finds the sample files and the dump tool', () => {
    assert.ok(files.length >= 40, `expected the FIT samples in ${samples}`);
    assert.ok(fs.existsSync(dumpBin), `dump tool not found: ${dumpBin} (build pierre-fit-dump)`);
  });

  for (const file of files) {
    it(file, () => {
      const full = path.join(samples, file);
      const ours = dump(full);
      const theirs = sdk(full);
      const expected = EXPECTED[file];
      const sdkErrors = theirs.errors.map((e) => String(e.message));

      if (!expected) {
        assert.deepEqual(sdkErrors, [], `${file}: the SDK reports errors, but EXPECTED has no entry`);
        assert.equal(ours.status, 0, `${file}: ${JSON.stringify(ours.json.error)}`);
        assert.deepEqual(ours.json.warnings, [], `${file}: unexpected warnings`);
      } else if (expected.error) {
        assert.equal(ours.status, 1, `${file}: must be refused`);
        assert.match(ours.json.error.message, expected.error);
        assert.equal(ours.json.error.code, 'INVALID_FORMAT');
        assert.equal(ours.json.error.details.offset, expected.offset);
        assert.ok(ours.json.error.details.reason, 'the error names a reason');
        assert.ok(sdkErrors.length > 0, `${file}: the SDK accepts it now; revisit EXPECTED`);
        return;
      } else if (expected.warning) {
        assert.equal(ours.status, 0, `${file}: ${JSON.stringify(ours.json.error)}`);
        assert.ok(sdkErrors.length > 0, `${file}: the SDK accepts it now; revisit EXPECTED`);
        assert.ok(ours.json.warnings.some((w) => expected.warning.test(w)), `${file}: ${ours.json.warnings}`);
        assert.ok(ours.json.recording.warnings.some((w) => expected.warning.test(w)));
      }

      if (expected?.compressed) {
        assert.match(sdkErrors.join(), /compressed timestamp/, `${file}: the SDK decodes compressed headers now`);
        assert.equal(ours.status, 0);
        const records = ourMessages(ours.json, 'record');
        assert.ok(records.length > 100, `${file}: records decoded`);
        let previous = -Infinity;
        for (const r of records) {
          assert.ok(typeof r.fields.timestamp === 'number', `${file}: every record has a timestamp`);
          assert.ok(r.fields.timestamp >= previous, `${file}: timestamps rise (offset ${r.offset})`);
          previous = r.fields.timestamp;
        }
        if (expected.csv) {
          // python-fitparse's dump of the same records (timestamp in FIT seconds, speed and accumulated distance
          // from compressed_speed_distance).
          // The CSV leaves out the first record, which holds nothing but a timestamp.
          const rows = readCsv(path.join(samples, expected.csv));
          const withData = records.filter((r) => Object.keys(r.fields).length > 1);
          assert.equal(withData.length, rows.length, `${file}: record count vs CSV`);
          assert.equal(records.length - withData.length, 1);
          rows.forEach((row, i) => {
            const f = withData[i].fields;
            const where = `${file} record #${i} vs CSV`;
            assert.equal(f.timestamp, row.Timestamp, `${where} timestamp`);
            close(num(f.heart_rate), row['Heart Rate [bpm]'], `${where} heart rate`);
            close(num(f.speed), row['Speed [m/s]'], `${where} speed`, 1e-6);
            close(num(f.distance), row['Distance [m]'], `${where} distance`, 1e-6);
            close(num(f.cadence), row['Cadence [rpm]'], `${where} cadence`);
          });
          const distances = ours.json.recording.sessions.flatMap((s) => s.samples.distance_m).filter((d) => d !== null);
          assert.equal(distances.length, rows.length);
          distances.forEach((d, i) => close(d, rows[i]['Distance [m]'], `${file} sample #${i} distance`, 1e-6));
        }
        return;
      }

      if (expected && !expected.compare) return;
      compareRecords(ours.json, theirs.messages.recordMesgs ?? [], file);
      compareSamples(ours.json, theirs.messages.recordMesgs ?? [], file);
      compareSessions(ours.json, theirs.messages.sessionMesgs ?? [], file);
      // Every message kind the SDK knows appears as often in our list (unknown ones the SDK drops).
      for (const [key, list] of Object.entries(theirs.messages)) {
        const name = snake(key.replace(/Mesgs$/, ''));
        assert.equal(ourMessages(ours.json, name).length, list.length, `${file}: ${name} message count`);
      }
    });
  }
});
