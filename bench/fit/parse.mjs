// FIT decode throughput of fit-file-parser (npm, MIT; https://github.com/jimmykane/fit-parser), the reference for
// `bench/run.sh activity`: the same file, decoded N times in this process after a warm-up, median of the runs.
// (Not @garmin/fitsdk: its licence forbids benchmarking it.)
//
//   node bench/fit/parse.mjs FILE [RUNS] [MIN_SECONDS]
// Prints one line: fit_file_parser bytes=... records=... runs=... median_ms=... mb_s=... records_s=... version=...
// Resolves fit-file-parser from tests/e2e/node_modules (installed by scripts/install-deps.sh).
import { readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import path from 'node:path'

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tests/e2e/node_modules/fit-file-parser')
const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))
const { default: FitParser } = await import(pathToFileURL(path.join(pkgDir, 'dist/fit-parser.js')).href)

const [file, runsArg, minSecondsArg] = process.argv.slice(2)
if (!file) {
  console.error('usage: node bench/fit/parse.mjs FILE [RUNS] [MIN_SECONDS]')
  process.exit(2)
}
const runs = Number(runsArg ?? 9)
const minSeconds = Number(minSecondsArg ?? 0)
const content = readFileSync(file)

// Defaults (mode 'list', no unit conversion to speak of): the least work the library offers for a full decode.
async function once () {
  const parser = new FitParser({ force: true, mode: 'list' })
  const data = await parser.parseAsync(content)
  return data.records?.length ?? 0
}

let records = await once() // warm-up: JIT, profile tables
if (records === 0) {
  console.error(`fit-file-parser decoded no record messages from ${file}`)
  process.exit(1)
}
await once()
const times = []
const started = process.hrtime.bigint()
for (let i = 0; i < runs || Number(process.hrtime.bigint() - started) / 1e9 < minSeconds; i++) {
  const t0 = process.hrtime.bigint()
  records = await once()
  times.push(Number(process.hrtime.bigint() - t0) / 1e6)
}
times.sort((a, b) => a - b)
const median = times[Math.floor(times.length / 2)]
const mbs = content.length / 1e6 / (median / 1e3)
console.log(`fit_file_parser bytes=${content.length} records=${records} runs=${times.length} ` +
  `median_ms=${median.toFixed(3)} mb_s=${mbs.toFixed(2)} records_s=${(records / (median / 1e3)).toFixed(0)} ` +
  `version=${version}`)
