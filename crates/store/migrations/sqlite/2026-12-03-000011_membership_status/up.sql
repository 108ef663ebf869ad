-- Suspension belongs to one membership: an organization suspends its own membership of a person, never
-- the person's account (which may belong to other organizations too).
ALTER TABLE memberships ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
UPDATE memberships SET status = 'suspended'
    WHERE user_id IN (SELECT id FROM users WHERE status = 'suspended');
UPDATE users SET status = 'active' WHERE status = 'suspended';
