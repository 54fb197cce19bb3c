/**
 * The bench's model endpoint, in its own process so that its CPU is not counted as
 * ours: an OpenAI-format server on 127.0.0.1 answering after a fixed latency.
 * Usage: fake-openai-server.ts LATENCY_MS — prints its base URL, serves until killed.
 */
import { startFakeOpenAI } from "../tests/helpers/fake-openai.js";
import { syntheticAnswer } from "../tests/helpers/live.js";

const latencyMs = Number(process.argv[2] ?? 50);
startFakeOpenAI({ answer: syntheticAnswer, latencyMs }).then((server) => {
  // The bench counts requests, not their log: forget them so memory stays flat.
  setInterval(() => server.requests.splice(0), 1000).unref();
  process.stdout.write(`${server.url}\n`);
});
