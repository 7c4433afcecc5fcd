"""Mutation score of Starling's checks against the project's pipes (see scripts/mutation/score --help)."""
