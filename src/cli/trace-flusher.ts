// Gets spans out of the process without making anyone wait: a background flush after each answer,
// and at exit one last flush and shutdown with a hard deadline, so a dead or hanging trace endpoint
// can never hold the process for long.
import type { Mastra } from '@mastra/core/mastra';

// AgnostExporter's export timeout (EXPORT_TIMEOUT_MS) bounds each export; this bounds everything at exit, with margin for storage.
export const EXIT_DEADLINE_MS = 2_500;

export interface TraceFlusherOptions {
  /** Called when no flush is in flight, e.g. to let go of a file another process may want. */
  whenIdle?: () => Promise<void>;
}

export class TraceFlusher {
  readonly #mastra: Mastra;
  readonly #whenIdle: () => Promise<void>;
  readonly #pending = new Set<Promise<void>>();

  constructor(mastra: Mastra, { whenIdle = async () => {} }: TraceFlusherOptions = {}) {
    this.#mastra = mastra;
    this.#whenIdle = whenIdle;
  }

  /**
   * Starts exporting what the last turn produced; returns at once. Flushes may overlap, so a slow
   * endpoint holding one export does not hold back the next turn's spans.
   */
  flushInBackground(): void {
    const flush = Promise.resolve(this.#mastra.observability?.flush()).catch(() => {});
    this.#pending.add(flush);
    void flush.finally(() => {
      this.#pending.delete(flush);
      if (this.#pending.size === 0) return this.#whenIdle().catch(() => {});
    });
  }

  /** Flushes everything still buffered and shuts Mastra down; resolves by the deadline whatever happens. */
  async close(deadlineMs = EXIT_DEADLINE_MS): Promise<void> {
    const finish = (async () => {
      await Promise.all(this.#pending);
      // Flush before shutdown: Mastra closes storage during shutdown, before the storage exporter drains.
      await this.#mastra.observability?.flush();
      await this.#mastra.shutdown();
      await this.#whenIdle();
    })().catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
      timer.unref();
    });
    await Promise.race([finish, deadline]);
    clearTimeout(timer);
  }
}
