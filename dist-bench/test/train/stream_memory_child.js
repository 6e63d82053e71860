// Child process of the streaming memory test: streams one file through the trainer once,
// then prints the steps taken and the process's peak RSS (kB) as JSON.
import { streamTrainer, streamedDataset } from "./stream_helpers.js";
import { tempDir } from "./helpers.js";
const [file, rows] = [process.argv[2], Number(process.argv[3])];
const bs = 32;
const trainer = streamTrainer(streamedDataset(file, { buffer_size: 64 }), {
    output_dir: tempDir(), max_steps: Math.ceil(rows / bs) + 1, per_device_train_batch_size: bs, logging_steps: 1000,
});
await trainer.train();
console.log(JSON.stringify({ steps: trainer.state.global_step, epoch: trainer.state.epoch, maxRSS: process.resourceUsage().maxRSS }));
//# sourceMappingURL=stream_memory_child.js.map