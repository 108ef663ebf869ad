-- wrk script: POST /api/v1/auth/login with the benchmark owner's credentials.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@vendhub.local","password":"bench-password-123"}'
