"""Providers (zorgaanbieders): their profile, their offer (the inventory) and their vacancies."""
