-- Reserved for issue 15; filled in by that issue's work.
SELECT 1;
