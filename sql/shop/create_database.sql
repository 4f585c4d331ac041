-- The shop schema, created when missing (the stack's bootstrap creates the default `shop`).
CREATE DATABASE IF NOT EXISTS {database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci
