// Removes the consumer project the global set-up installed.
import { CONSUMER_ENV, removeConsumer } from "./consumer";

export default function globalTeardown(): void {
  const dir = process.env[CONSUMER_ENV];
  if (dir) removeConsumer(dir);
}
