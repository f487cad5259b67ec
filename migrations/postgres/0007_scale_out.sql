-- Reserved for issue 10; filled in by that issue's work.
SELECT 1;
