"""What every app's API shares: body parsing, validation, pagination and the error format (REST_FRAMEWORK)."""
