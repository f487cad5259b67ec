-- Reserved for issue 11; filled in by that issue's work.
SELECT 1;
