" Vim syntax file
" Language:    lease (compute-capacity lease models)
" Filenames:   *.lease
" Reference:   the lexical structure is section 1 of the language specification;
"              editors/lease.tmLanguage.json is the TextMate grammar with the
"              same token classes.

if exists('b:current_syntax')
  finish
endif
scriptencoding utf-8
let s:cpo_save = &cpo
set cpo&vim

syn case match
syn sync minlines=20

" Anything not recognised below is an error (as the lexer says).
syn match leaseError "[@&|'`?~×·]"
syn match leaseError "!=\@!"

" Operators and punctuation.
syn match leaseDelimiter "[,:;.]"
syn match leaseOperator "->\|\.\.\|[=!<>]=\|[-+*/^<>=]"
syn match leaseContinuation "\\$"

" Names: calls, fields, declarations.
syn match leaseFunctionCall "\<\h\w*\ze\s*("
syn match leaseField "\<\h\w*\ze\s*:"
syn match leaseDeclName "\%(\<\%(cluster\|contract\|scenario\)\s\+\)\@<=\h\w*"
syn match leaseFunctionName "\%(\<fn\s\+\)\@<=\h\w*"
syn match leaseScenarioRef "\%(\<run\s\+\)\@<=\h\w*"

" Units (a unit name may also be a built-in: `month(d)` is a call).
syn match leaseUnit "\<\%(s\|second\|seconds\|sec\|secs\|min\|mins\|minute\|minutes\|h\|hr\|hrs\|hour\|hours\|day\|days\|week\|weeks\|month\|months\|year\|years\|W\|kW\|MW\|GW\|Wh\|kWh\|MWh\|GWh\|TWh\|gpu\|gpus\|gpu_h\|gpu_hour\|gpu_hours\|percent\)\>"
syn match leaseCurrencyCode "\<\%(USD\|EUR\|JPY\|GBP\|CNY\|AUD\|CAD\|CHF\|HKD\|SGD\|SEK\|KRW\|NOK\|NZD\|INR\|MXN\|TWD\|ZAR\|BRL\|DKK\|PLN\|THB\|ILS\|IDR\|CZK\|AED\|TRY\|HUF\|CLP\|SAR\|PHP\|MYR\|COP\|RUB\|RON\|PEN\|BHD\|BGN\|ARS\|KWD\|QAR\|OMR\|JOD\|EGP\|NGN\|PKR\|VND\|BDT\|KZT\|UAH\|MAD\|KES\|LKR\|ISK\|GHS\|DZD\|TND\|UYU\|BOB\|PYG\|CRC\|DOP\|GTQ\|HNL\|NIO\|PAB\|JMD\|TTD\|BSD\|BBD\|BZD\|BMD\|KYD\|XCD\|AWG\|ANG\|SRD\|GYD\|HTG\|CUP\|VES\|AFN\|ALL\|AMD\|AOA\|AZN\|BAM\|BIF\|BND\|BTN\|BWP\|BYN\|CDF\|CVE\|DJF\|ERN\|ETB\|FJD\|FKP\|GEL\|GIP\|GMD\|GNF\|IQD\|IRR\|KGS\|KHR\|KMF\|KPW\|LAK\|LBP\|LRD\|LSL\|LYD\|MDL\|MGA\|MKD\|MMK\|MNT\|MOP\|MRU\|MUR\|MVR\|MWK\|MZN\|NAD\|NPR\|PGK\|RSD\|RWF\|SBD\|SCR\|SDG\|SHP\|SLE\|SOS\|SSP\|STN\|SYP\|SZL\|TJS\|TMT\|TOP\|TZS\|UGX\|UZS\|VUV\|WST\|XAF\|XOF\|XPF\|YER\|ZMW\|ZWL\)\>"
syn match leaseCurrency "[$€£¥₩]"
syn match leaseUnit "%"

" Built-in functions, when called (Sources/LeaseLanguage/Builtins.swift).
syn match leaseBuiltin "\<\%(sum\|mean\|min\|max\|count\|sd\|percentile\|abs\|round\|floor\|ceil\|sqrt\|exp\|ln\|year\|month\|day\|days_in_month\|print\|payment\|months\|schedule\|total\|paid\|npv\|terminate\|exposure\|remaining\|capacity\|contracts\|revenue\|spend\|uniform\|normal\|lognormal\|triangular\|pert\|choice\|export\|cashflows\|irr\|xnpv\|xirr\|asc842\|ifrs16\|renew\|plot\|assert\)\ze\s*("

" Numbers: 42, 3.5, 1_000_000, 1.5e9, scale suffixes k M B T, 8%.
syn match leaseNumber "\%(\w\)\@<!\%(\d[0-9_]*\%(\.\d[0-9_]*\)\=\|\.\d[0-9_]*\)\%([eE][-+]\=\d[0-9_]*\)\=\%([kMBT]\w\@!\)\=%\="
" Money: a currency sign before a number.
syn match leaseMoney "\%(\w\)\@<![$€£¥₩]\%(\d[0-9_]*\%(\.\d[0-9_]*\)\=\|\.\d[0-9_]*\)\%([eE][-+]\=\d[0-9_]*\)\=\%([kMBT]\w\@!\)\="
" Dates: 2026-05 (a month), 2026-05-20 (a day); other dates of that shape are errors.
syn match leaseDateError "\%(\w\)\@<!\d\{4}-\d\d\%(\w\|\.\d\)\@!\%(-\d\d\w\@!\)\="
syn match leaseDate "\%(\w\)\@<!\d\{4}-\%(0[1-9]\|1[0-2]\)\%(\w\|\.\d\)\@!\%(-\%(0[1-9]\|[12]\d\|3[01]\)\w\@!\|\%(-\d\d\w\@!\)\@!\)"

" Keywords (they take priority over the matches above).
syn keyword leaseDeclaration let fn cluster contract scenario fx
syn keyword leaseConditional if then else
syn keyword leaseStatement run solve
syn keyword leaseInclude use
syn keyword leaseOperatorWord and or not with step to in
syn keyword leaseBoolean true false

" Strings with escapes and {expr} interpolation; {{ and }} are literal braces.
syn region leaseString start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ oneline
      \ contains=leaseBadEscape,leaseEscape,leaseInterpolation,leaseBraceEscape
syn match leaseBadEscape +\\.\=+ contained
syn match leaseEscape +\\[\\"nt{}]+ contained
syn region leaseInterpolation matchgroup=leaseInterpolationDelim start=+{+ end=+}+ end=+$+ oneline contained
      \ contains=@leaseExpression,leaseNestedBraces
syn region leaseNestedBraces start=+{+ end=+}+ end=+$+ oneline contained transparent
      \ contains=@leaseExpression,leaseNestedBraces
syn match leaseBraceEscape +{{\|}}+ contained

syn cluster leaseExpression contains=leaseError,leaseOperator,leaseDelimiter,leaseFunctionCall,leaseField,
      \leaseUnit,leaseCurrencyCode,leaseCurrency,leaseBuiltin,leaseNumber,leaseMoney,leaseDateError,leaseDate,
      \leaseDeclaration,leaseConditional,leaseStatement,leaseInclude,leaseOperatorWord,leaseBoolean,
      \leaseString,leaseScenarioRef

" Comments, with the `# expect:` lines of the script tests.
syn match leaseComment "#.*$" contains=leaseExpect,@Spell
syn match leaseExpect "\%(#\s*\)\@<=expect\%(-error\)\=:" contained

hi def link leaseError              Error
hi def link leaseOperator           Operator
hi def link leaseDelimiter          Delimiter
hi def link leaseContinuation       Special
hi def link leaseFunctionCall       Function
hi def link leaseField              Identifier
hi def link leaseDeclName           Type
hi def link leaseFunctionName       Function
hi def link leaseScenarioRef        Type
hi def link leaseUnit               Type
hi def link leaseCurrencyCode       Type
hi def link leaseCurrency           Type
hi def link leaseBuiltin            Function
hi def link leaseNumber             Number
hi def link leaseMoney              Number
hi def link leaseDate               Constant
hi def link leaseDateError          Error
hi def link leaseDeclaration        Keyword
hi def link leaseConditional        Conditional
hi def link leaseStatement          Statement
hi def link leaseInclude            Include
hi def link leaseOperatorWord       Operator
hi def link leaseBoolean            Boolean
hi def link leaseString             String
hi def link leaseBadEscape          Error
hi def link leaseEscape             SpecialChar
hi def link leaseBraceEscape        SpecialChar
hi def link leaseInterpolationDelim Delimiter
hi def link leaseComment            Comment
hi def link leaseExpect             SpecialComment

let b:current_syntax = 'lease'
let &cpo = s:cpo_save
unlet s:cpo_save
