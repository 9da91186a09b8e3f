"""Word lists for language detection and Telex repair (self-contained, no downloads).

`COMMON_VI_SYLLABLES`: folded syllables that occur in at least three of the national
procedure records, plus everyday words citizens type ("lam", "bao nhieu", "o dau").
`ENGLISH_WORDS`: frequent English words, including the short ones that are also valid
folded Vietnamese syllables ("can", "to", "the") and those that look like Telex ("room",
"been", "show", "law", "chef"), which must never be "repaired".
"""

from __future__ import annotations

from typing import Final

_COMMON_VI = """
    ai am an ang anh ao ap au ba bac bach bai ban bang banh bao bat bau bay be ben benh bi bia
    bien biet bieu bim binh bo boc boi bom bon bong bot bu buc bui buoc buoi buon buong buu buyt
    ca cac cach cai cam can cang canh cao cap cat cau cay cha chac cham chan chanh chao chap
    chat chau chay che chenh cheo chep chet chi chia chiec chiem chien chiet chieu chim chin
    chinh chip chiu cho choi chon chong chot chu chua chuan chuc chung chuoc chuoi chuong chup
    chuyen co coa coc coi con cong cop cot cu cua cuc cum cung cuoc cuoi cuon cuong cuu da dac
    dai dam dan dang danh dao dap dat dau day de dem den deo dep deu di dia dich diem dien dieu
    dinh do doa doan doanh doat doc doi don dong dot du dua duan duc dung duoc duoi duong dut
    duy duyet em ep eu ga gach gan gap gay ghe ghep ghi gi gia giai giam gian giang giao giap
    giay gieng giet gin gio gioi giong giu giua giup go goc goi gom gon gop gui guong ha hach
    hai ham han hang hanh hao hat hau hay he hen hep het hiem hien hiep hieu hinh ho hoa hoac
    hoach hoai hoan hoang hoanh hoat hoc hoi hom hon hong hop hu huan hung huong hut huu huy
    huyen ia ich in it ke kem kenh keo kep ket kha khac khach khai kham khan khang khao khau khe
    khen khep khi khich khien khieu kho khoa khoan khoang khoanh khoe khoi khom khong khop khu
    khung khuon khuyen khuyet ki kia kich kiem kien kieu kim kin kinh kip kit ky la lac lai lam
    lan lang lanh lao lap lau lay le lech len lenh li lich liem lien liet lieu linh lo loai loan
    loat loc loi lon long lop lu lua luan luat luc lui luoc luoi luong luot lut luu luy luyen ly
    ma mac mach mai mam man mang manh mao mat mau may me mem menh mep met mien mieng mieu min
    minh mo moc moi mon mong mooc moong mot mu mua muc muoi muon muu my na nai nam nan nang nao
    nap nat nay nen neo net neu ngach ngai ngam ngan ngang nganh ngat ngau ngay nghe ngheo nghi
    nghia nghiem nghien nghiep nghin ngo ngoai ngoi ngon ngu ngua ngung nguoc nguoi nguon nguong
    nguy nguyen nha nham nhan nhanh nhap nhat nhau nhay nhe nhiem nhien nhiet nhieu nhin nho
    nhom nhu nhuan nhung nhuong niem nien ninh no noi nong nop nu nua nui nuoc nuoi nut om on
    ong pa pha phai pham phan phanh phao phap phat phau phe phep phi phia phien phieu phim pho
    phoi phong phu phuc phuong phut pong qua quan quang quanh quat quay que quen quet qui quoc
    quy quyen quyet ra rach rai ran rang ranh rap rat re ren ri rieng ro roi rong rua rui rung
    ruot ruou rut sac sach sai sam san sang sanh sao sap sat sau se sen set si sieu sinh so soa
    soan soat soc soi som son song sot su sua suat suc sung suon suot suy sy ta tac tach tai tam
    tan tang tao tap tat tau tay te tec tem ten tep tet tha thac thach thai tham than thang
    thanh thao thap that thau thay the them theo thi thich thien thiet thieu thit tho thoa thoai
    thoang thoat thoi thon thong thu thua thuan thuat thuc thue thung thuoc thuong thuy thuyen
    thuyet tich tiem tien tieng tiep tiet tieu tim tin tinh to toa toan toc toi tom ton tong tot
    tra trac trach trai tram tran trang tranh trao trat trau tre tren treo tri trich trien trieu
    trinh tro troi trom tron trong trot tru truc trung truoc truong truy truyen tu tuan tuat tuc
    tue tung tuoc tuoi tuong tuy tuyen tuyet ty ung uoc uom uong uu uy va vac vach vai van vang
    vao vat vay ve ven vet vi via viec vien viet vinh vo voi von vong vot vu vua vuc vui vung
    vuon vuong vuot xa xac xam xang xanh xau xay xe xem xep xet xi xich xin xo xoa xoi xong xu
    xuat xuc xung xuong xuyen yet yeu
"""

_ENGLISH = """
    a about above add address after afternoon again against age agency agent agree agreed
    agreement airport all allow allowed also always am amount an and another answer any anyone
    anything apartment appeal application applications apply applying appointment approval
    approve are around arrival arrive arrow as ask asked at away awesome awful awkward babies
    baby back bad balloon ban bank bar bars bat be because bee beef been beer beet before being
    below ben best bet between big bin birth birthday bit blood bloom blow book booked booking
    boom boost boot border born borrow both bow bowl box brief broom brown building bus business
    but buy by came can cancel cannot car card cards career cars cartoon cash cat center centre
    certificate certificates certified change check cheek cheese chef chief child children
    choose citizen citizens citizenship city claim claw cliff clinic close closed code coffee
    committee company complaint con confirm contact contract cook cooking cool copies copy cost
    costs could country court cow crown cup currency customs cut daddy dan date dawn day days
    deadline deaf dear death declaration declare deep deeper deer def degree den department
    deposit detail details did different divorce do doc docs doctor document documents does
    doing don done doom door down draw drawer drawn driver drivers driving due duration during
    each early education eighteen either elbow electricity elf else email embassy employee
    employer employment english enough entry eof even ever every exam exchange exit expire
    expired expiry extend extension false family fat father fax fee feed feel fees feet fellow
    few fifteen file fill find fine first fit fix flood floor flow flower follow following food
    foot for foreign foreigner foreigners form forms fourteen fowl free freed freedom from full
    fun fund further gas get gets getting gif give given go goes going golf gone good goose got
    government green groom grow growth guarantee guide gun had half hang has hat have having
    hawk he health hello help hen her here hers hey hi high him his hit ho home hood hook
    hospital hotel hour hours house housing how however howl husband hut i id identity if
    immigration in income inf information insurance international into invitation is issue
    issued it its itself jaw jeep job just keep kept kit knee know known land language last law
    lawn lawyer leaf lease least lee left legal less let letter licence license licensed life
    like limit list lists local long look looking loom loop loose lost low lower lowest madam
    made mail make man many marriage married marry mat max may maybe me mean means medical meet
    meeting men might mine minister ministry mix money month months mood moon more most mother
    mow mr mrs ms much must my myself name narrow national nationality need needs net never new
    next nineteen no noodle noon nor not notary now number nut odd of off office official often
    ok okay old on once one online only open or order original other others our ours out over
    owl own owned owner paper papers parent parents part passport pat paw pay payment peel peer
    pen pension permanent permit permits person personal phone photo pin place please police
    pool poor post powder power price process processing proof property province public put
    queen rat rather raw real really receipt receive record records reef reel ref referee
    register registered registration renew renewal rent report request required requirement
    requirements residence residency resident retire retirement return right road roof room root
    row rule rules run salary same sang sat saw say says school screen see seed seek seem seen
    seep self send sent service services set seventeen sex shadow shall she sheet shoot short
    should show showing sign signature sin since single sir sit six sixteen sleep slow small
    snow so social some something son soon sorry sow speech speed spoon staff stamp start status
    stay steel steer still stood straw street student study submit such sun support surf sweet
    take taken tan tax taxes taxi tee teen tell temporary ten tenant test than thank thanks that
    the their theirs them then there these they thief thing things think thirteen this those
    though three through throw thus ticket till time tin to told tomorrow too took tool tourist
    tow toward tower town transfer translate translation travel tree trip troop true try turf
    under understood until up upon us use used using vat vehicle very via visa visas visit
    visitor vow wait want wanted wants was way we website wee weed week weekly weeks well were
    wet what whatever wheel when where whether which while who whole whom whose why widow wife
    will window with within without wolf wood wool work worker working would wow yawn year years
    yellow yes yet you young your yours yourself zoo
"""

COMMON_VI_SYLLABLES: Final[frozenset[str]] = frozenset(_COMMON_VI.split())
ENGLISH_WORDS: Final[frozenset[str]] = frozenset(_ENGLISH.split())
