#!/usr/bin/env python3
"""Writes src/StoryEngine.Core/Accounts/common-passwords.txt: guessable passwords of 12 or more characters.

No word list is installed on the build machines and none is downloaded: the list is generated from the patterns
that top public breach-corpus rankings are made of (common roots with number and year suffixes, keyboard walks,
digit runs, repeated words, well-known phrases, simple letter-for-digit swaps). The server compares lower-cased,
with spaces removed, so each entry is stored in that form. Re-run after changing a pattern:

    python3 scripts/generate-common-passwords.py
"""
from itertools import product
from pathlib import Path

MIN_LENGTH = 12

ROOTS = """
password passwort passw0rd p@ssword p@ssw0rd pass qwerty qwertz azerty letmein welcome iloveyou admin
administrator root login dragon monkey football baseball basketball soccer hockey sunshine princess master
shadow superman batman spiderman trustno1 starwars whatever michael jennifer jordan hunter ranger charlie
hello freedom secret summer winter spring autumn changeme default computer internet killer pokemon naruto
liverpool chelsea arsenal manchester barcelona realmadrid juventus yankees cowboys steelers lakers
chocolate butterfly flower cookie cheese banana orange apple pepper ginger tigger buster daniel andrew
jessica ashley michelle nicole matthew joshua thomas robert william david richard joseph christopher
anthony george samsung iphone android google facebook twitter microsoft windows linux ubuntu oracle
mustang ferrari porsche corvette harley yamaha mercedes thunder lightning blizzard hurricane phoenix
diamond silver golden purple yellow orange black white mother father family friend friends forever
lovely loveme iloveu babygirl angel angels heaven jesus christ blessed blessing trinity matrix
zxcvbnm asdfgh qazwsx abc123 abcdef abcdefg master123 access letmein1 welcome1 monkey1 dragon1
gandalf frodo hobbit merlin wizard warrior knight legend samurai ninja pirate viking spartan
story stories storyteller adventure narrator fantasy dungeon dragons kingdom castle
security secure private server database system test tester testing guest user demo sample example
hockey1 soccer1 football1 baseball1 mylove sweetheart honey darling cutie
""".split()

SUFFIXES = ["", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789", "1234567890",
            "!", "1!", "123!", "!@#", "01", "007", "69", "1990", "2000"]
SUFFIXES += [str(y) for y in range(2015, 2031)]
SUFFIXES += [f"{y}!" for y in range(2015, 2031)]
PREFIXES = ["", "my", "ilove"]

KEYBOARD_ROWS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop",
                 "0987654321", "poiuytrewq", "lkjhgfdsa", "mnbvcxz", "!@#$%^&*()"]

WALKS = """
1qaz2wsx3edc 1qaz2wsx3edc4rfv 1qaz2wsx3edc4rfv5tgb zaq12wsxcde3 zaq1xsw2cde3 zaq12wsx 1q2w3e4r5t6y
1q2w3e4r5t6y7u 1q2w3e4r5t6y7u8i 1q2w3e4r5t6y7u8i9o0p q1w2e3r4t5y6 q1w2e3r4t5y6u7 qazwsxedcrfv
qazwsxedcrfvtgb qweasdzxc123 qweasdzxcqwe 1qazxsw2 !qaz2wsx 1qaz@wsx3edc !qaz@wsx#edc qwertyuiopasdfghjkl
qwertyuiopasdfghjklzxcvbnm asdfghjklzxcvbnm qwertyasdfgh qwertyasdfghzxcvbn asdfqwerzxcv 1234qwerasdf
1234qwerasdfzxcv qwer1234asdf poiuytrewqasdf qwaszxqwaszx zxcvbnmasdfghjkl 147258369147 159753159753
741852963741 963852741963 123qweasdzxc 123qweasdzxc456 qweqweqweqwe asdasdasdasd zxczxczxczxc
""".split()

PHRASES = """
correcthorsebatterystaple thequickbrownfox thequickbrownfoxjumpsoverthelazydog iloveyouforever
iloveyousomuch iloveyoubaby letmeinplease letmeinnow opensesame opensesame123 maytheforcebewithyou
tobeornottobe jesusislord jesuslovesme godisgood godisgreat godisawesome thisismypassword thisisapassword
thisisasecret mypasswordis mysecretpassword mynewpassword newpassword changemeplease changethispassword
passwordpassword passwordispassword nopassword forgotpassword iforgotmypassword youcantguessit
donttellanyone helloworld helloworld123 hellokitty hellothere goodmorning goodnight happybirthday
merrychristmas happynewyear livelaughlove carpediem hakunamatata supercalifragilistic
onceuponatime happilyeverafter beammeupscotty iamyourfather winteriscoming youshallnotpass
whatisthematrix letsgetstarted welcometothejungle stairwaytoheaven bohemianrhapsody
administrator1 administrator123 adminadminadmin rootrootroot useruseruser guestguestguest
""".split()

LEET = str.maketrans({"a": "@", "o": "0", "e": "3", "i": "1", "s": "$"})


def add(out, word):
    word = word.lower().replace(" ", "")
    if len(word) >= MIN_LENGTH:
        out.add(word)


def main():
    out = set()
    for prefix, root, suffix in product(PREFIXES, ROOTS, SUFFIXES):
        add(out, prefix + root + suffix)
    for root in ROOTS:
        for times in (2, 3, 4):
            add(out, root * times)
        add(out, root.translate(LEET) + "123")
        add(out, root.translate(LEET) + "1234")
        add(out, root.translate(LEET) + "2024")
    for row in KEYBOARD_ROWS:
        for start in range(len(row)):
            for end in range(start + 4, len(row) + 1):
                run = row[start:end]
                add(out, run)
                add(out, run * 2)
                add(out, run * 3)
                for suffix in ("1", "123", "!", "1234"):
                    add(out, run + suffix)
    for walk in WALKS + PHRASES:
        add(out, walk)
        for suffix in ("1", "12", "123", "!", "1234"):
            add(out, walk + suffix)
    for digit in "0123456789":
        for length in range(MIN_LENGTH, 21):
            add(out, digit * length)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        add(out, letter * MIN_LENGTH)
    for length in range(MIN_LENGTH, 21):
        add(out, "".join(str((i + 1) % 10) for i in range(length)))     # 123456789012...
        add(out, "".join(str((9 - i) % 10) for i in range(length)))     # 987654321098...
        for pair in ("12", "123", "1234", "abc", "ab", "69", "007", "qwe", "asd"):
            add(out, (pair * length)[:length])

    target = Path(__file__).resolve().parent.parent / "src/StoryEngine.Core/Accounts/common-passwords.txt"
    header = ("# Passwords of 12+ characters that attackers try first; compared lower-cased with spaces removed.\n"
              "# Generated by scripts/generate-common-passwords.py from common patterns (see that file); do not edit by hand.\n")
    target.write_text(header + "\n".join(sorted(out)) + "\n", encoding="utf-8")
    print(f"{len(out)} entries written to {target}")


if __name__ == "__main__":
    main()
