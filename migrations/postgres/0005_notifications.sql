-- Reserved for issue 13; filled in by that issue's work.
SELECT 1;
