// StarlingReport
