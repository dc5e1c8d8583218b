"""The test harness and the data tests share: real broker and database (infra), the whole
system as processes (system), event capture, the eventlet plugin (green), the secret scan, fakes."""
