// StarlingMetrics
