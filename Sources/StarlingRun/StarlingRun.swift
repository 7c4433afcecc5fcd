// StarlingRun
