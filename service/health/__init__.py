"""Health: is each part (database, index, outbox) usable?"""
