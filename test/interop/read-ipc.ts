// Interop check, last step: arrow-js reads the IPC stream file the Python client assembled.
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';

const table = tableFromIPC(readFileSync(process.argv[2]!));
console.log(`arrow-js read ${table.numRows} rows in ${table.batches.length} batches, column type ${String(table.schema.fields[0]!.type)}, dtype=${table.schema.metadata.get('duet.tensor.dtype')} shape=${table.schema.metadata.get('duet.tensor.shape')}, values=${Array.from(table.getChildAt(0)!.toArray() as Float64Array).join(',')}`);
