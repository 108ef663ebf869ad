-- wrk script: GET with the bearer token given in the BENCH_TOKEN environment variable.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
