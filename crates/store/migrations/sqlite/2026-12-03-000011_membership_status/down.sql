UPDATE users SET status = 'suspended'
    WHERE status = 'active'
      AND id IN (SELECT user_id FROM memberships WHERE status = 'suspended');
ALTER TABLE memberships DROP COLUMN status;
