DROP TABLE payment_counters;
DROP TABLE payment_accounts;
DROP TABLE machine_commands;
DROP TABLE payment_calls;
DROP TABLE payment_transactions;
DROP TABLE orders;
