"""What tests and benchmarks share: a generator of annual reports with known truth (`generator`),
website and file damage on top of it (`noise`), running the product on an inbox (`runs`), and a
warehouse's content as comparable data (`dump`)."""
