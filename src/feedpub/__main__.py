from feedpub._launch import main

main()
