-- Reserved for issue 12; filled in by that issue's work.
SELECT 1;
