// StarlingChecks
