"""Page splitting, clean-up, form identification, registration and field reading."""
