// One rank of a fault test under mpirun: TL_FAULT=hang makes rank 1 stall before a collective,
// TL_FAULT=die makes it exit; rank 0 all-reduces with a short timeout and must not hang.
import { allReduce, rank, setCollectiveTimeout } from "../../src/distributed/index.js";
import { Tensor } from "../../src/tensor/index.js";

const fault = process.env.TL_FAULT;
setCollectiveTimeout(Number(process.env.TL_TIMEOUT ?? 3));
const t = Tensor.fromTypedArray(new Float32Array([1, 2, 3]), [3]);
allReduce(t); // everyone is there once
if (rank() === 1 && fault === "hang") Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
if (rank() === 1 && fault === "die") process.exit(3);
allReduce(t);
console.log(`rank ${rank()} done`);
