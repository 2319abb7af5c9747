"""`python -m benchmarks.chaos`: the delivery guarantees of docs/reliability.md, proved on a real
three-broker cluster by killing service instances and brokers under load and counting what
every topic and the mail server hold at the end."""
