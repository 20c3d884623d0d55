" lease scripts
autocmd BufRead,BufNewFile *.lease setfiletype lease
