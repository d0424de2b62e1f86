-- The Transfer handler looks up large transfers by block; the README's queries filter by account.
CREATE INDEX transfer_large_block ON transfer (large, block_number);
CREATE INDEX transfer_sender ON transfer (sender);
CREATE INDEX transfer_recipient ON transfer (recipient);
