-- When an account's login (phone number or e-mail address) was shown to be its holder's: sign-up
-- sends a code to it and creates the account only when the code comes back. Released to relying
-- parties as phone_number_verified / email_verified. Accounts made before this column (and staff
-- accounts, which administrators type in) stay unproven: nobody checked them.
ALTER TABLE auth.accounts ADD COLUMN login_verified_at timestamptz;
