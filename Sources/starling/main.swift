// The CLI entry point: parse, call one library function, map the outcome to an exit code.
print("starling: under construction")
