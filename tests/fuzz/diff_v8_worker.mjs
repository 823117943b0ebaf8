// Runs diff_v8.mjs's runV8 in a worker thread, so that the driver can stop
// a module that runs too long (V8 has no fuel; terminating the worker
// interrupts even a Wasm loop) while the call stays synchronous.
import { Worker, MessageChannel, receiveMessageOnPort, isMainThread, workerData } from 'node:worker_threads';
import { runV8 } from './diff_v8.mjs';

if (!isMainThread && workerData?.kiteDiffV8) {
  const { port, flag } = workerData;
  const state = new Int32Array(flag);
  port.on('message', (bytes) => {
    let trace;
    try {
      trace = runV8(bytes);
    } catch (e) {
      trace = 'harness-failure ' + e + '\n';
    }
    port.postMessage(trace);
    Atomics.store(state, 0, 1);
    Atomics.notify(state, 0);
  });
}

export class V8Runner {
  constructor(timeoutMs) {
    this.timeoutMs = timeoutMs;
    this.start();
  }

  start() {
    const { port1, port2 } = new MessageChannel();
    this.flag = new SharedArrayBuffer(4);
    this.state = new Int32Array(this.flag);
    this.port = port1;
    this.worker = new Worker(new URL(import.meta.url), {
      workerData: { kiteDiffV8: true, port: port2, flag: this.flag }, transferList: [port2] });
    this.worker.unref();
  }

  // The trace, or 'timeout' when the module ran longer than the limit.
  run(bytes) {
    Atomics.store(this.state, 0, 0);
    this.port.postMessage(bytes);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      Atomics.wait(this.state, 0, 0, Math.min(left, 1000));
      const msg = receiveMessageOnPort(this.port);
      if (msg) return msg.message;
    }
    this.worker.terminate();
    this.port.close();
    this.start();
    return 'limit v8 timeout\n';
  }
}
