-- wrk script: GET with the panel's session cookie given in the BENCH_COOKIE environment variable.
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
