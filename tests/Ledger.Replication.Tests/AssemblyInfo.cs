// One replicated cluster (etcd, two Patroni nodes, two PostgreSQL servers) and a service process on a 2-core machine:
// one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
