-- wrk script: POST one JSON-RPC request per call (body from the BODY environment variable).
wrk.method = "POST"
wrk.body = os.getenv("BODY") or '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'
wrk.headers["Content-Type"] = "application/json"
