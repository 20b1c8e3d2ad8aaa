// Micro benchmark of the calc engine: evaluations per second, one line per case.
//   npx tsc -p . && node dist/scripts/bench/calc.js [milliseconds-per-case]
import { compile, evaluate, type CalcProgram } from '../../ioc/records/calc/index.js';

const CASES: string[] = [
  'A+B*C',
  'A:=A+1; A>=100 ? 0 : A',
  'MAX(A,B,C,D)-MIN(E,F,G,H)',
  'SIN(A*D2R)*B + COS(C*D2R)*D',
  '(A >> 4) & 0xFF | (B << 8)',
  'A>B ? (C>D ? E : F) : G%5',
  'NINT(SQRT(A*A+B*B)) + ABS(C-D)',
];

const budgetMs = Number(process.argv[2] ?? 300);

function bench(label: string, program: CalcProgram, raw: boolean): void {
  const args = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  let sink = 0;
  let n = 0;
  const batch = 10_000;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(budgetMs) * 1_000_000n;
  let now = t0;
  while (now < deadline) {
    if (raw) {
      for (let i = 0; i < batch; i++) sink += program.perform(args, i, Math.random) ?? 0;
    } else {
      for (let i = 0; i < batch; i++) {
        const r = evaluate(program, args, { val: i });
        if (r.ok) sink += r.value;
      }
    }
    n += batch;
    now = process.hrtime.bigint();
  }
  const rate = (n * 1e9) / Number(now - t0);
  if (sink === 0.123456) console.log('');
  console.log(`${label.padEnd(58)} ${Math.round(rate)} evals/s`);
}

for (const expr of CASES) {
  for (const jit of [true, false]) {
    const r = compile(expr, { jit });
    if (!r.ok) throw new Error(`${expr}: ${r.error}`);
    const mode = r.program.compiled ? 'jit' : 'vm ';
    bench(`${mode} evaluate  ${expr}`, r.program, false);
    bench(`${mode} perform   ${expr}`, r.program, true);
  }
}

{
  let n = 0;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(budgetMs) * 1_000_000n;
  while (process.hrtime.bigint() < deadline) {
    for (const expr of CASES) compile(expr);
    n += CASES.length;
  }
  const rate = (n * 1e9) / Number(process.hrtime.bigint() - t0);
  console.log(`${'compile (mixed)'.padEnd(58)} ${Math.round(rate)} compiles/s`);
}
