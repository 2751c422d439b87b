from superionic.cli import main

main()
