module loomtracer.dev/fixtures

go 1.23
