// Preloaded with --import: prints the process's peak resident memory on exit, for the benchmark.
process.on('exit', () => process.stderr.write(`\nbench-max-rss-kb=${process.resourceUsage().maxRSS}\n`));
