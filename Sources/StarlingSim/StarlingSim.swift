// StarlingSim
