// Each test runs several service processes (and PostgreSQL, PgBouncer) on a 2-core machine and measures take-over times:
// one test at a time, so that they do not slow each other past their bounds.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
