"""Users, their role and their teams."""
