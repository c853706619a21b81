"""Teams: the owners of projects, assets and assessments, and the unit of access."""
