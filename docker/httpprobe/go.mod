module github.com/cruddur/httpprobe

go 1.24
